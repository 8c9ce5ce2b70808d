package pipeline

import (
	"fmt"
	"net/mail"
	"strings"
)

// DeliveryConfig is [delivery]: where bulletins go.
type DeliveryConfig struct {
	Folder string `toml:"folder"` // a shared folder to copy to ("" none)
	// Office receives the refusals of files that are not one unit's (or
	// whose unit has no mailbox); empty: the report recipients (smtp.to).
	Office            []string   `toml:"office"`
	SMTP              SMTPConfig `toml:"smtp"`
	RetryFirstSeconds int        `toml:"retry_first_seconds"` // first retry after a failure, doubling
	RetryMaxSeconds   int        `toml:"retry_max_seconds"`   // longest wait between retries
	// Approval: every new version waits for a 管理员's 签发 (portal or
	// tongbao approve) before it is numbered, dated and delivered.
	Approval bool `toml:"approval"`
	// HoldMissingPct: with approval off, a bulletin produced while more
	// than this share of units (percent) is 未报送 is held as a draft and
	// the office told; 0 never holds.
	HoldMissingPct float64 `toml:"hold_missing_pct"`
}

// SMTPConfig is [delivery.smtp]. The password comes from the environment
// variable named by password_env, never from the file.
type SMTPConfig struct {
	Host        string   `toml:"host"` // "" disables mail
	Port        int      `toml:"port"`
	Security    string   `toml:"security"` // starttls, tls or none
	Username    string   `toml:"username"`
	PasswordEnv string   `toml:"password_env"`
	From        string   `toml:"from"`
	To          []string `toml:"to"`
}

func defaultDelivery() DeliveryConfig {
	return DeliveryConfig{Office: []string{}, SMTP: SMTPConfig{Port: 587, Security: "starttls", PasswordEnv: "TONGBAO_SMTP_PASSWORD", To: []string{}},
		RetryFirstSeconds: 60, RetryMaxSeconds: 3600}
}

// OfficeRecipients are the office's addresses for refusals.
func (d DeliveryConfig) OfficeRecipients() []string {
	if len(d.Office) > 0 {
		return d.Office
	}
	return d.SMTP.To
}

// Validate names the first bad key.
func (d DeliveryConfig) Validate() error {
	if d.RetryFirstSeconds < 1 || d.RetryMaxSeconds < d.RetryFirstSeconds {
		return fmt.Errorf("delivery.retry_first_seconds must be ≥ 1 and ≤ delivery.retry_max_seconds")
	}
	if d.HoldMissingPct < 0 || d.HoldMissingPct >= 100 {
		return fmt.Errorf("delivery.hold_missing_pct must be 0 (never hold) up to below 100, got %g", d.HoldMissingPct)
	}
	for _, a := range d.Office {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("delivery.office: %q: %w", a, err)
		}
	}
	s := d.SMTP
	if s.Host == "" {
		return nil
	}
	switch s.Security {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("delivery.smtp.security must be starttls, tls or none, got %q", s.Security)
	}
	if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("delivery.smtp.port must be 1–65535, got %d", s.Port)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("delivery.smtp.from: %w", err)
	}
	if len(s.To) == 0 {
		return fmt.Errorf("delivery.smtp.to must list at least one recipient")
	}
	for _, to := range s.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return fmt.Errorf("delivery.smtp.to: %q: %w", to, err)
		}
	}
	if s.Username != "" && strings.TrimSpace(s.PasswordEnv) == "" {
		return fmt.Errorf("delivery.smtp.password_env must name the environment variable holding the password")
	}
	return nil
}

// deliveryConfigText documents [delivery] in the tongbao.toml init writes.
const deliveryConfigText = `
# 投送：复制到共享文件夹，和/或通过邮件发送
[delivery]
# 共享文件夹，如 "//fileserver/安委办/通报"；留空不复制
folder = ""
# 收件箱中被拒收的文件：只涉及一个单位且单位名录中有其邮箱的，退回该单位；其余发给这里的办公室邮箱（留空即 smtp.to）
office = []
# 发送失败后第一次重试的秒数（之后每次加倍），以及最长间隔
retry_first_seconds = 60
retry_max_seconds = 3600
# 签发：true 时每个新版本先为“待签发稿”（无发文字号），管理员在门户「通报」页或用 tongbao approve 签发后才编号、定日期并投送
approval = false
# 未签发制度下（approval = false），月度通报生成时未报送单位超过这个百分比，本版暂缓投送并通知办公室；0 不暂缓
hold_missing_pct = 0

[delivery.smtp]
# 邮件服务器；留空不发邮件
host = ""
port = 587
# starttls、tls 或 none
security = "starttls"
username = ""
# 密码从这个环境变量读取，不写在配置文件里
password_env = "TONGBAO_SMTP_PASSWORD"
from = ""
to = []
`
