package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"tongbao"
)

// Roles of the portal's accounts.
const (
	RoleReporter = "reporter" // 填报员: their units' enforcement, or the accident ledger
	RoleAdmin    = "admin"    // 管理员: everything
	RoleLeader   = "leader"   // 领导: read only
)

// RoleLabel is a role's Chinese name.
func RoleLabel(role string) string {
	switch role {
	case RoleReporter:
		return "填报员"
	case RoleAdmin:
		return "管理员"
	case RoleLeader:
		return "领导"
	}
	return role
}

// Account is one portal user in accounts.json.
type Account struct {
	Name  string   `json:"name"`
	Role  string   `json:"role"`
	Units []string `json:"units,omitempty"` // a reporter's units (enforcement)
	// Ledger: a reporter who files the accident ledger.
	Ledger   bool   `json:"ledger,omitempty"`
	Hash     string `json:"hash"` // bcrypt
	Disabled bool   `json:"disabled,omitempty"`
	// PasswordSet is when the password was last set: a session that began
	// before it is revoked.
	PasswordSet time.Time `json:"password_set"`
	Created     time.Time `json:"created"`
}

// accountsFile is the portal's accounts, in the workspace.
const accountsFile = "accounts.json"

// MinPasswordChars is the shortest password accepted.
const MinPasswordChars = 8

var accountName = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_.@-]{2,32}$`)

// Accounts reads accounts.json (none yet: empty).
func (w *Workspace) Accounts() ([]Account, error) {
	data, err := os.ReadFile(w.path(accountsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", accountsFile, err)
	}
	var out []Account
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("parse %s: %w", accountsFile, err)
	}
	return out, nil
}

// Account returns one account by name.
func (w *Workspace) Account(name string) (*Account, error) {
	all, err := w.Accounts()
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Name == name {
			return &all[i], nil
		}
	}
	return nil, tongbao.Errorf(tongbao.ENotFound, fmt.Sprintf("没有账号「%s」", name))
}

// AccountInput is what `user add` gives.
type AccountInput struct {
	Name, Role, Password string
	Units                []string
	Ledger               bool
}

// AddAccount creates an account, checking its name, role, units (in the
// registry) and password.
func (w *Workspace) AddAccount(ctx context.Context, in AccountInput) error {
	if !accountName.MatchString(in.Name) {
		return tongbao.Errorf(tongbao.EInvalid, "账号名应为 2–32 个汉字、字母、数字或 _ . @ -")
	}
	switch in.Role {
	case RoleAdmin, RoleLeader:
		if len(in.Units) > 0 || in.Ledger {
			return tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("%s账号不绑定单位", RoleLabel(in.Role)))
		}
	case RoleReporter:
		if len(in.Units) == 0 && !in.Ledger {
			return tongbao.Errorf(tongbao.EInvalid, "填报员账号须绑定单位（--units），或负责事故台账（--ledger）")
		}
	default:
		return tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("未知的角色「%s」，应为 reporter（填报员）、admin（管理员）或 leader（领导）", in.Role))
	}
	units, err := w.canonicalUnits(ctx, in.Units)
	if err != nil {
		return err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return err
	}
	return w.changeAccounts(ctx, func(all []Account) ([]Account, error) {
		for _, a := range all {
			if a.Name == in.Name {
				return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("账号「%s」已存在", in.Name))
			}
		}
		now := w.now()
		return append(all, Account{Name: in.Name, Role: in.Role, Units: units, Ledger: in.Ledger, Hash: hash, PasswordSet: now, Created: now}), nil
	})
}

// canonicalUnits resolves unit names (aliases allowed) in the registry.
func (w *Workspace) canonicalUnits(ctx context.Context, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	reg, err := w.Registry(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		u, ok := reg.Resolve(strings.TrimSpace(n))
		if !ok {
			return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("单位「%s」未在单位名录中登记", n))
		}
		if !slices.Contains(out, u.Name) {
			out = append(out, u.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// SetPassword sets an account's password; its sessions end.
func (w *Workspace) SetPassword(ctx context.Context, name, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return w.changeAccount(ctx, name, func(a *Account) { a.Hash, a.PasswordSet = hash, w.now() })
}

// SetDisabled disables (or enables) an account; a disabled account's
// sessions end at its next request.
func (w *Workspace) SetDisabled(ctx context.Context, name string, disabled bool) error {
	return w.changeAccount(ctx, name, func(a *Account) { a.Disabled = disabled })
}

// CheckPassword reports whether password is the account's; a disabled or
// unknown account never matches (and costs a bcrypt all the same, so that
// timing does not tell which names exist).
func (w *Workspace) CheckPassword(name, password string) (*Account, bool) {
	a, err := w.Account(name)
	if err != nil || a.Disabled {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, false
	}
	if bcrypt.CompareHashAndPassword([]byte(a.Hash), []byte(password)) != nil {
		return nil, false
	}
	return a, true
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("tongbao-no-such-account"), bcrypt.DefaultCost)

func hashPassword(p string) (string, error) {
	if utf8.RuneCountInString(p) < MinPasswordChars {
		return "", tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("密码至少 %d 个字符", MinPasswordChars))
	}
	if len(p) > 72 { // bcrypt reads 72 bytes
		return "", tongbao.Errorf(tongbao.EInvalid, "密码过长（至多 72 个字节）")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

func (w *Workspace) changeAccount(ctx context.Context, name string, change func(*Account)) error {
	return w.changeAccounts(ctx, func(all []Account) ([]Account, error) {
		for i := range all {
			if all[i].Name == name {
				change(&all[i])
				return all, nil
			}
		}
		return nil, tongbao.Errorf(tongbao.ENotFound, fmt.Sprintf("没有账号「%s」", name))
	})
}

// changeAccounts rewrites accounts.json atomically under the workspace
// lock, so the command line and a running portal never lose a change.
func (w *Workspace) changeAccounts(ctx context.Context, change func([]Account) ([]Account, error)) error {
	lock, err := w.Lock(ctx, "accounts")
	if err != nil {
		return err
	}
	defer lock.Release()
	all, err := w.Accounts()
	if err != nil {
		return err
	}
	all, err = change(all)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return fmt.Errorf("encode accounts: %w", err)
	}
	return writeFileAtomic(w.path(accountsFile), append(data, '\n'))
}
