package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"

	"tongbao"
)

// Reminder kinds: the service's the day before the deadline (once per unit
// and month), or the office's button (at most once per unit a day).
const (
	RemindAuto   = "auto"
	RemindButton = "button"
)

// QueueReminders puts a 催报 mail in the outbox for every unit that has
// not reported month m's enforcement and has a 邮箱 in units.xlsx (only
// those named, when units is not empty); the service sends them. It
// returns the units queued now (one already queued is not queued again).
func (w *Workspace) QueueReminders(ctx context.Context, m tongbao.Month, kind string, units []string) ([]string, error) {
	if w.Config.Delivery.SMTP.Host == "" {
		return nil, tongbao.Errorf(tongbao.EInvalid, "未配置邮件服务器（tongbao.toml 的 [delivery.smtp]），无法催报")
	}
	p, err := w.Progress(ctx, m)
	if err != nil {
		return nil, err
	}
	now := w.zoneNow()
	due := p.Deadline.AddDate(0, 0, -1)
	var queued []string
	for _, u := range p.Units {
		if u.Reported || u.Email == "" || len(units) > 0 && !slices.Contains(units, u.Unit) {
			continue
		}
		sum := sha256.Sum256([]byte(u.Unit))
		id := fmt.Sprintf("reminder-%s-%x-%s", m, sum[:6], kind)
		if kind == RemindButton {
			id += "-" + now.Format("20060102")
		}
		body := fmt.Sprintf("%s\n\n%s%d年%d月的安全生产执法检查月报尚未收到，报送截止日为%d月%d日。", Greeting(u.Unit, u.Contact), w.Config.District, m.Year, m.Month, due.Month(), due.Day())
		if u.Refusals > 0 {
			body += fmt.Sprintf("已收到的文件被拒收 %d 次（最近的问题：%s），请改正后重新报送。", u.Refusals, u.LastProblem)
		}
		body += "\n请登录报送门户上传，或发送给区安委办。已报送的请忽略本邮件。\n\n（本邮件由 tongbao 自动发送，请勿直接回复）\n"
		d := &Delivery{ID: id, Kind: "reminder", Period: m.String(), Channel: "smtp", To: u.Email,
			Subject: fmt.Sprintf("【催报】%d年%d月执法检查月报（截止%d月%d日）", m.Year, m.Month, due.Month(), due.Day()),
			Body:    body, Created: now, NextAttempt: now, Status: DeliveryPending, MessageID: id + "@tongbao"}
		created, err := w.PutDelivery(d, false)
		if err != nil {
			return queued, err
		}
		if created {
			queued = append(queued, u.Unit)
		}
	}
	if len(queued) > 0 {
		w.Journal(JournalEntry{Time: now, Event: "remind", Periods: []string{m.String()}, Detail: fmt.Sprintf("%s: %v", kind, queued)})
	}
	return queued, nil
}

// Greeting opens a mail to a unit: its name and contact ("塘河镇 李四：").
func Greeting(unit, contact string) string {
	if contact != "" {
		return unit + " " + contact + "："
	}
	return unit + "："
}
