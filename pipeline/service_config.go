package pipeline

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/robfig/cron/v3"
)

// ScheduleConfig is [schedules]: when the service runs its jobs.
type ScheduleConfig struct {
	Zone               string `toml:"zone"`                 // deprecated: the top-level zone
	Inbox              string `toml:"inbox"`                // inbox watch and delivery retries
	Monthly            string `toml:"monthly"`              // the bulletin for the previous month
	Quarterly          string `toml:"quarterly"`            // the scorecard for the previous quarter
	StopTimeoutSeconds int    `toml:"stop_timeout_seconds"` // how long a running job may finish on shutdown
}

// DeliveryConfig is [delivery]: where bulletins go.
type DeliveryConfig struct {
	Folder            string     `toml:"folder"` // a shared folder to copy to ("" none)
	SMTP              SMTPConfig `toml:"smtp"`
	RetryFirstSeconds int        `toml:"retry_first_seconds"` // first retry after a failure, doubling
	RetryMaxSeconds   int        `toml:"retry_max_seconds"`   // longest wait between retries
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

// CronParser reads the cron expressions of [schedules]: five fields
// (minute hour day month weekday), or six with seconds first.
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// CronWithSeconds reports an expression of six fields (seconds first).
func CronWithSeconds(expr string) bool { return len(strings.Fields(expr)) == 6 }

func defaultSchedules() ScheduleConfig {
	return ScheduleConfig{Inbox: "* * * * *", Monthly: "0 9 5 * *", Quarterly: "0 9 10 1,4,7,10 *", StopTimeoutSeconds: 600}
}

func defaultDelivery() DeliveryConfig {
	return DeliveryConfig{SMTP: SMTPConfig{Port: 587, Security: "starttls", PasswordEnv: "TONGBAO_SMTP_PASSWORD", To: []string{}},
		RetryFirstSeconds: 60, RetryMaxSeconds: 3600}
}

// Validate names the first bad key.
func (s ScheduleConfig) Validate() error {
	for key, expr := range map[string]string{"schedules.inbox": s.Inbox, "schedules.monthly": s.Monthly, "schedules.quarterly": s.Quarterly} {
		if _, err := CronParser.Parse(expr); err != nil {
			return fmt.Errorf("%s: not a cron expression %q: %w", key, expr, err)
		}
	}
	if s.StopTimeoutSeconds < 1 {
		return fmt.Errorf("schedules.stop_timeout_seconds must be ≥ 1, got %d", s.StopTimeoutSeconds)
	}
	return nil
}

// Validate names the first bad key.
func (d DeliveryConfig) Validate() error {
	if d.RetryFirstSeconds < 1 || d.RetryMaxSeconds < d.RetryFirstSeconds {
		return fmt.Errorf("delivery.retry_first_seconds must be ≥ 1 and ≤ delivery.retry_max_seconds")
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

const serviceConfigText = `
# 服务（tongbao serve）的定时任务，按上面的时区，cron 五段式：分 时 日 月 周
[schedules]
# 收件箱检查和失败重发：每分钟
inbox = "* * * * *"
# 月度通报：每月5日9:00，通报上月
monthly = "0 9 5 * *"
# 季度评估：1、4、7、10月10日9:00，评估上季度
quarterly = "0 9 10 1,4,7,10 *"
# 停止服务时等待正在运行的任务完成的最长秒数
stop_timeout_seconds = 600

# 投送：复制到共享文件夹，和/或通过邮件发送
[delivery]
# 共享文件夹，如 "//fileserver/安委办/通报"；留空不复制
folder = ""
# 发送失败后第一次重试的秒数（之后每次加倍），以及最长间隔
retry_first_seconds = 60
retry_max_seconds = 3600

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
