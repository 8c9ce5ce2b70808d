package schedules

import (
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"

	"tongbao/pipeline"
)

// Config is [schedules] of tongbao.toml: when the service runs its jobs,
// in the workspace's zone.
type Config struct {
	Zone               string `toml:"zone"`                 // deprecated: the top-level zone (it must agree)
	Inbox              string `toml:"inbox"`                // inbox watch, catch-up and delivery retries
	Monthly            string `toml:"monthly"`              // the bulletin for the previous month
	Quarterly          string `toml:"quarterly"`            // the scorecard for the previous quarter
	Reminders          string `toml:"reminders"`            // 催报 the day before the deadline, at this time of day
	StopTimeoutSeconds int    `toml:"stop_timeout_seconds"` // how long a running job may finish on shutdown
}

// DefaultConfig is DESIGN.md's schedule: the inbox every minute, the
// bulletin on day 5 at 09:00, the scorecard on day 10 of Jan/Apr/Jul/Oct.
func DefaultConfig() Config {
	return Config{Inbox: "* * * * *", Monthly: "0 9 5 * *", Quarterly: "0 9 10 1,4,7,10 *", Reminders: "0 9 * * *", StopTimeoutSeconds: 600}
}

// LoadConfig reads [schedules] of the workspace's tongbao.toml over the
// defaults and validates it.
func LoadConfig(ws *pipeline.Workspace) (Config, error) {
	c := DefaultConfig()
	if err := ws.LoadSection("schedules", &c); err != nil {
		return c, err
	}
	if c.Zone != "" && c.Zone != ws.Config.Zone {
		return c, &pipeline.ConfigError{Path: ws.ConfigPath(), Msg: fmt.Sprintf("配置无效：schedules.zone (%q) differs from zone (%q): set only zone", c.Zone, ws.Config.Zone)}
	}
	return c, nil
}

// cronParser reads the cron expressions of [schedules]: five fields
// (minute hour day month weekday), or six with seconds first.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// cronWithSeconds reports an expression of six fields (seconds first).
func cronWithSeconds(expr string) bool { return len(strings.Fields(expr)) == 6 }

// Validate names the first bad key.
func (c Config) Validate() error {
	for _, k := range []struct{ key, expr string }{{"schedules.inbox", c.Inbox}, {"schedules.monthly", c.Monthly}, {"schedules.quarterly", c.Quarterly}, {"schedules.reminders", c.Reminders}} {
		if _, err := cronParser.Parse(k.expr); err != nil {
			return fmt.Errorf("%s: not a cron expression %q: %w", k.key, k.expr, err)
		}
	}
	if c.StopTimeoutSeconds < 1 {
		return fmt.Errorf("schedules.stop_timeout_seconds must be ≥ 1, got %d", c.StopTimeoutSeconds)
	}
	return nil
}

// ConfigText documents [schedules] in the tongbao.toml init writes.
const ConfigText = `
# 服务（tongbao serve）的定时任务，按上面的时区，cron 五段式：分 时 日 月 周（也可写六段，秒在最前）
[schedules]
# 收件箱检查、补做到期报告和失败重发：每分钟
inbox = "* * * * *"
# 月度通报：每月5日9:00，通报上月
monthly = "0 9 5 * *"
# 季度评估：1、4、7、10月10日9:00，评估上季度
quarterly = "0 9 10 1,4,7,10 *"
# 催报：每天这个时间检查，截止日前一天给未报送、在单位名录中有邮箱的单位发邮件（每单位每月一次）
reminders = "0 9 * * *"
# 停止服务时等待正在运行的任务完成的最长秒数
stop_timeout_seconds = 600
`
