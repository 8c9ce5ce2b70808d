package pipeline

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"tongbao"
	"tongbao/reports"
	"tongbao/sources"
)

// An Upload is a file a portal user sent: it waits in uploads/<id>/ —
// never in inbox/ — until its owner has read the validation and confirms.
type Upload struct {
	ID       string                  `json:"id"`
	Name     string                  `json:"name"` // as sent, made safe
	Account  string                  `json:"account"`
	At       time.Time               `json:"at"`
	Period   string                  `json:"period,omitempty"` // chosen when the file names none
	Status   string                  `json:"status"`
	Dataset  string                  `json:"dataset,omitempty"`
	Periods  []sources.PeriodSummary `json:"periods,omitempty"`
	Units    []string                `json:"units,omitempty"`
	Problems []UploadProblem         `json:"problems,omitempty"` // errors first, at most maxUploadProblems
	Errors   int                     `json:"errors"`
	Warnings int                     `json:"warnings"`
	Replaces []Replacement           `json:"replaces,omitempty"`
	Totals   []PeriodTotals          `json:"totals,omitempty"` // a valid file's key figures per period
	Marked   bool                    `json:"marked,omitempty"` // marked.xlsx written
	// Mailed are the addresses the refusal was mailed to; MailError why
	// it could not be queued.
	Mailed    []string  `json:"mailed,omitempty"`
	MailError string    `json:"mail_error,omitempty"`
	Imported  time.Time `json:"imported,omitzero"`
	SHA256    string    `json:"sha256,omitempty"`
}

// UploadProblem is one error or warning, by its position.
type UploadProblem struct {
	Warning                   bool
	Sheet, Cell, Field, Value string
	Rule                      string
}

// Upload statuses.
const (
	UploadRefused  = "refused"
	UploadValid    = "valid"
	UploadImported = "imported"
	// UploadRetracted: imported, then taken back (RetractUpload).
	UploadRetracted = "retracted"
)

const (
	uploadsDir        = "uploads"
	maxUploadProblems = 500
)

var uploadID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// safeUploadName keeps the last element of a name sent by a browser, with
// separators, control characters and leading dots removed, at most 120
// characters: it names the file inside its own upload folder only.
func safeUploadName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = name[strings.LastIndex(name, "/")+1:]
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`<>:"|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if rs := []rune(name); len(rs) > 120 {
		ext := filepath.Ext(name)
		name = string(rs[:120-len([]rune(ext))]) + ext
	}
	if name == "" {
		name = "upload"
	}
	return name
}

// ReceiveUpload stores a file a portal user sent and validates it with
// the import rules and the account's scope; nothing is imported yet.
func (w *Workspace) ReceiveUpload(ctx context.Context, a *Account, name string, body io.Reader, period string) (*Upload, error) {
	var rnd [12]byte
	rand.Read(rnd[:])
	up := &Upload{ID: hex.EncodeToString(rnd[:]), Name: safeUploadName(name), Account: a.Name, At: w.zoneNow(), Period: period}
	dir := w.path(uploadsDir, up.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create upload folder: %w", err)
	}
	path := filepath.Join(dir, up.Name)
	af, err := createAtomicAs(path, tempUpload)
	if err != nil {
		return nil, err
	}
	limit := w.Config.Import.MaxFileMB << 20
	n, err := io.Copy(af, io.LimitReader(body, limit+1))
	if err != nil {
		af.Abort()
		return nil, fmt.Errorf("receive upload: %w", err)
	}
	if n > limit {
		af.Abort()
		os.RemoveAll(dir)
		return nil, tongbao.Errorf(tongbao.CodeTooLarge, fmt.Sprintf("文件超过 %d MB 的上限", w.Config.Import.MaxFileMB))
	}
	if err := af.Commit(); err != nil {
		return nil, err
	}
	outs, err := w.ImportFiles(ctx, []string{path}, ImportOptions{DryRun: true, Period: period})
	if err != nil {
		return nil, err
	}
	o := outs[0]
	res := o.Result
	if res == nil {
		res = &sources.Result{File: up.Name}
	}
	scope := ""
	if o.Status == Validated {
		if scope = w.scopeProblem(a, res); scope != "" {
			res.Errors = append(res.Errors, &sources.ImportError{File: up.Name, Code: tongbao.EInvalid, Rule: scope})
			res.ErrorCount++
		}
	}
	up.Dataset, up.Units, up.Errors, up.Warnings = res.Dataset, res.Units, res.ErrorCount, res.WarningCount
	for _, list := range [][]*sources.ImportError{res.Errors, res.Warnings} {
		for _, e := range list {
			if len(up.Problems) < maxUploadProblems {
				up.Problems = append(up.Problems, UploadProblem{Warning: e.Warning, Sheet: e.Sheet, Cell: e.Cell(), Field: e.Field, Value: e.Value, Rule: e.Rule})
			}
		}
	}
	if res.ErrorCount > 0 {
		up.Status = UploadRefused
		marked := filepath.Join(dir, "marked.xlsx")
		if f, err := os.Open(path); err == nil {
			st, _ := f.Stat()
			if err := w.writeMarkedCopy(ctx, marked, tempUpload, up.Name, f, st.Size(), res); err == nil {
				up.Marked = true
			}
			f.Close()
		}
		if !up.Marked {
			marked = ""
		}
		// Mailed too, as a refusal from the inbox is (when mail is on): the
		// unit's statistician may not be the one at the browser. A file
		// outside the account's scope is not: it names another's units.
		if scope == "" {
			if up.Mailed, err = w.QueueRefusal(ctx, up.Name, o.SHA256, res, marked); err != nil {
				up.MailError = Explain(err)
			}
		}
		w.Journal(JournalEntry{Time: up.At, Event: "upload_refused", File: up.Name, Dataset: res.Dataset, Errors: res.ErrorCount, Detail: a.Name})
	} else {
		up.Status, up.Periods, up.Totals = UploadValid, res.Periods, o.Totals
		if up.Replaces, err = w.wouldReplace(res); err != nil {
			return nil, err
		}
	}
	return up, w.saveUpload(up)
}

// scopeProblem says why an account may not submit a file ("" if it may):
// a reporter files only their own units' enforcement, or the accident
// ledger when that is their task; quotas and assessments are the office's.
func (w *Workspace) scopeProblem(a *Account, res *sources.Result) string {
	if a.Role == RoleAdmin {
		return ""
	}
	if a.Role != RoleReporter {
		return "您的账号只能查看，不能报送数据"
	}
	switch res.Dataset {
	case tongbao.Enforcement:
		var foreign []string
		for _, u := range res.Units {
			if !slices.Contains(a.Units, u) {
				foreign = append(foreign, u)
			}
		}
		if len(foreign) > 0 {
			return fmt.Sprintf("文件中有不由您报送的单位：%s（您负责：%s）", strings.Join(foreign, "、"), strings.Join(a.Units, "、"))
		}
		if len(a.Units) == 0 {
			return "您的账号负责事故台账，不能报送执法检查月报"
		}
	case tongbao.Accidents:
		if !a.Ledger {
			return "事故台账由负责台账的账号报送"
		}
	default:
		return fmt.Sprintf("%s由区安委办管理员报送", sources.DatasetLabel(res.Dataset))
	}
	return ""
}

// wouldReplace is what importing a valid file would supersede now.
func (w *Workspace) wouldReplace(res *sources.Result) ([]Replacement, error) {
	cat, err := readCatalog(w.path("catalog.json"))
	if err != nil {
		return nil, err
	}
	rows := map[string]int{}
	for _, p := range cat.Partitions {
		rows[p.SHA256+" "+p.Period] = p.Rows
	}
	var parts []Partition
	for _, ps := range res.Periods {
		parts = append(parts, Partition{Dataset: res.Dataset, Period: ps.Period, SHA256: "pending-upload", Units: ps.Units, ImportedAt: w.now(), Status: StatusLive})
	}
	var out []Replacement
	for _, s := range cat.add(parts, w.now()) {
		r := Replacement{Supersession: s}
		if len(s.Units) == 0 {
			r.Rows = rows[s.SHA256+" "+s.Period]
		}
		out = append(out, r)
	}
	return out, nil
}

// Replacement is what confirming an upload would replace: a whole earlier
// import's period (Rows records) or some units' data in it.
type Replacement struct {
	Supersession
	Rows int `json:"rows,omitempty"` // a whole partition's records
}

func (w *Workspace) saveUpload(up *Upload) error {
	data, err := json.MarshalIndent(up, "", "  ")
	if err != nil {
		return fmt.Errorf("encode upload: %w", err)
	}
	return writeFileAtomicAs(w.path(uploadsDir, up.ID, "upload.json"), append(data, '\n'), tempUpload)
}

// GetUpload reads an upload by its id (ids are ours: 24 hex digits).
func (w *Workspace) GetUpload(id string) (*Upload, error) {
	if !uploadID.MatchString(id) {
		return nil, tongbao.Errorf(tongbao.ENotFound, "没有这次报送")
	}
	data, err := os.ReadFile(w.path(uploadsDir, id, "upload.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, tongbao.Errorf(tongbao.ENotFound, "没有这次报送")
	}
	if err != nil {
		return nil, err
	}
	var up Upload
	if err := json.Unmarshal(data, &up); err != nil {
		return nil, fmt.Errorf("parse upload %s: %w", id, err)
	}
	return &up, nil
}

// uploadFile is the path of an upload's own file or its marked copy.
func (w *Workspace) uploadFile(up *Upload, marked bool) string {
	if marked {
		return w.path(uploadsDir, up.ID, "marked.xlsx")
	}
	return w.path(uploadsDir, up.ID, up.Name)
}

// OpenMarkedCopy opens a refused upload's marked copy (a regular file,
// never through a link).
func (w *Workspace) OpenMarkedCopy(up *Upload) (*os.File, fs.FileInfo, error) {
	if !up.Marked {
		return nil, nil, tongbao.Errorf(tongbao.ENotFound, "这次报送没有标注文件")
	}
	return openInput(w.uploadFile(up, true))
}

// ConfirmUpload imports a valid upload, by its owner.
func (w *Workspace) ConfirmUpload(ctx context.Context, up *Upload, a *Account) (*FileOutcome, error) {
	if up.Account != a.Name {
		return nil, tongbao.Errorf(tongbao.EInvalid, "只能确认自己的报送")
	}
	if up.Status != UploadValid {
		return nil, tongbao.Errorf(tongbao.EInvalid, "这次报送未通过校验或已导入，不能确认")
	}
	outs, err := w.ImportFiles(ctx, []string{w.uploadFile(up, false)}, ImportOptions{Period: up.Period})
	if err != nil {
		return nil, err
	}
	o := outs[0]
	switch o.Status {
	case Imported, Duplicate:
		up.Status, up.Imported, up.SHA256 = UploadImported, w.zoneNow(), o.SHA256
		w.Journal(JournalEntry{Time: up.Imported, Event: "upload_imported", File: up.Name, SHA256: o.SHA256, Detail: a.Name})
	default:
		// The data changed meanwhile (a registry edit …): validate again.
		up.Status = UploadRefused
	}
	return o, w.saveUpload(up)
}

// Uploads lists an account's uploads, newest first ("" every account's).
func (w *Workspace) Uploads(account string) ([]*Upload, error) {
	entries, err := os.ReadDir(w.path(uploadsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Upload
	for _, e := range entries {
		up, err := w.GetUpload(e.Name())
		if err != nil {
			continue // a folder being written, or not ours
		}
		if account == "" || up.Account == account {
			out = append(out, up)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// ZeroReport files the accident ledger of a month without accidents for
// the ledger account: a header-only ledger, validated and imported as if
// uploaded and confirmed.
func (w *Workspace) ZeroReport(ctx context.Context, a *Account, m tongbao.Month) (*Upload, error) {
	if !a.Ledger && a.Role != RoleAdmin {
		return nil, tongbao.Errorf(tongbao.EInvalid, "事故台账由负责台账的账号报送")
	}
	var buf bytes.Buffer
	if err := reports.WriteZeroLedger(&buf, w.Config.District, m); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("事故台账_%d年%d月（零报告）.xlsx", m.Year, m.Month)
	up, err := w.ReceiveUpload(ctx, a, name, &buf, m.String())
	if err != nil || up.Status != UploadValid {
		return up, err
	}
	_, err = w.ConfirmUpload(ctx, up, a)
	return up, err
}

// RetractUpload takes back an imported upload: its owner before the
// month's deadline, a 管理员 at any time.
func (w *Workspace) RetractUpload(ctx context.Context, up *Upload, a *Account) error {
	if up.Status != UploadImported {
		return tongbao.Errorf(tongbao.EInvalid, "只有已导入的报送可以撤回")
	}
	if a.Role != RoleAdmin {
		if up.Account != a.Name {
			return tongbao.Errorf(tongbao.EInvalid, "只能撤回自己的报送")
		}
		for _, p := range up.Periods {
			m, err := tongbao.ParseMonth(p.Period)
			if err != nil {
				continue
			}
			if due := w.Config.Collection.Deadline(m, w.loc); !w.now().Before(due) {
				return tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("%s的报送已过截止日（%s），请联系区安委办撤回",
					p.Period, due.AddDate(0, 0, -1).Format("1月2日")))
			}
		}
	}
	if _, err := w.Retract(ctx, up.SHA256, "门户撤回："+a.Name); err != nil {
		return err
	}
	up.Status = UploadRetracted
	return w.saveUpload(up)
}
