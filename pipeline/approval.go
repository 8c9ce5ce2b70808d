package pipeline

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"strings"

	"tongbao"
)

// Delivery channels.
const (
	ChannelSMTP   = "smtp"
	ChannelFolder = "folder"
)

// Approve signs (签发) the version of period (a month: the bulletin, a
// quarter: the scorecard) that waits for it: it is numbered and dated now,
// rendered again, and its deliveries queued; the service sends them. If
// the figures changed since the draft was written, nothing is signed: a
// new version is written (Output.Stale) for the office to look at first.
func (w *Workspace) Approve(ctx context.Context, period, by string, number int) (*Output, error) {
	opts := IssueOptions{Approve: true, By: by, Number: number}
	if m, err := tongbao.ParseMonth(period); err == nil && m.String() == period {
		return w.IssueBulletin(ctx, m, opts)
	}
	if q, err := tongbao.ParseQuarter(period); err == nil && q.String() == period {
		return w.IssueScorecard(ctx, q, opts)
	}
	return nil, tongbao.Errorf(tongbao.EInvalid, fmt.Sprintf("期间 %q 无效：月份写作 2022-03，季度写作 2022Q1", period))
}

// DeliveryNote says where a signed version goes, in the office's words.
func (o *Output) DeliveryNote() string {
	if o.Queued == 0 {
		return "未配置投送渠道（tongbao.toml 的 [delivery] folder 或 [delivery.smtp]），请自行分发 reports/ 下的文件"
	}
	return fmt.Sprintf("已交投送（%d 份），运行中的服务一分钟内发出", o.Queued)
}

// ReportSubject is the mail subject of a version; a correction begins
// with 【更正】.
func ReportSubject(o *Output) string {
	if o.Replaces > 0 {
		return fmt.Sprintf("【更正】%s（第%d版）", o.Title, o.Version)
	}
	return o.Title
}

// QueueVersion writes an outbox entry per channel and recipient for an
// issued version, before anything is sent; an entry already there is not
// written twice. It returns the ids queued now.
func (w *Workspace) QueueVersion(o *Output) ([]string, error) {
	if !o.Issued() {
		return nil, fmt.Errorf("queue %s %s v%d: not issued (%s)", o.Kind, o.Period, o.Version, o.State)
	}
	cfg := w.Config.Delivery
	subj := ReportSubject(o)
	body := reportMailBody(o)
	type target struct{ channel, to string }
	var targets []target
	if cfg.Folder != "" {
		targets = append(targets, target{ChannelFolder, cfg.Folder})
	}
	if cfg.SMTP.Host != "" {
		for _, to := range cfg.SMTP.To {
			targets = append(targets, target{ChannelSMTP, to})
		}
	}
	now := w.now()
	var queued []string
	for _, t := range targets {
		id := fmt.Sprintf("%s-%s-v%d-%s-%s", o.Kind, o.Period, o.Version, t.channel, SafeID(t.to))
		var rnd [8]byte
		rand.Read(rnd[:])
		d := &Delivery{ID: id, Kind: o.Kind, Period: o.Period, Version: o.Version, Channel: t.channel, To: t.to,
			Subject: subj, Body: body, Attachments: o.Files, Created: now, NextAttempt: now, Status: DeliveryPending,
			MessageID: fmt.Sprintf("%s.%x@tongbao", id, rnd)}
		created, err := w.PutDelivery(d, false)
		if err != nil {
			return queued, err
		}
		if created {
			queued = append(queued, id)
		}
	}
	return queued, nil
}

// queueDraftNotice tells the office, once per version, that a draft waits
// for 签发 (and why a held one was held), with the draft attached.
func (w *Workspace) queueDraftNotice(o *Output) error {
	cfg := w.Config.Delivery
	if cfg.SMTP.Host == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("办公室：\n\n")
	fmt.Fprintf(&b, "《%s》第%d版已生成，", o.Title, o.Version)
	if o.State == VersionHeld {
		fmt.Fprintf(&b, "暂缓投送：%s。\n", o.Held)
		b.WriteString("数据补齐后重新生成的版本将自动投送；如需现在投送，请签发本版。\n")
	} else {
		b.WriteString("等待签发（[delivery] approval = true）。\n")
	}
	flag := "--month"
	if o.Kind != "bulletin" {
		flag = "--quarter"
	}
	fmt.Fprintf(&b, "请在报送门户「通报」页核对后签发，或在服务器上运行：tongbao approve %s %s\n", flag, o.Period)
	b.WriteString("签发时才编号（发文字号）并确定印发日期；附件为待签发稿，仅供核对。\n")
	if len(o.Summary) > 0 {
		b.WriteString("\n要点：\n")
		for _, l := range o.Summary {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("\n（本邮件由 tongbao 自动发送，请勿直接回复）\n")
	now := w.now()
	word := "待签发"
	if o.State == VersionHeld {
		word = "暂缓投送"
	}
	for _, to := range cfg.OfficeRecipients() {
		id := fmt.Sprintf("notice-%s-%s-v%d-%s", o.Kind, o.Period, o.Version, SafeID(to))
		d := &Delivery{ID: id, Kind: "notice", Period: o.Period, Version: o.Version, Channel: ChannelSMTP, To: to,
			Subject: fmt.Sprintf("【%s】%s（第%d版）", word, o.Title, o.Version), Body: b.String(), Attachments: o.Files,
			AttachmentNames: draftNames(o.Files), Created: now, NextAttempt: now, Status: DeliveryPending, MessageID: id + "@tongbao"}
		if _, err := w.PutDelivery(d, false); err != nil {
			return err
		}
	}
	return nil
}

// draftNames mark the attached drafts as such.
func draftNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		ext := filepath.Ext(f)
		out[i] = strings.TrimSuffix(filepath.Base(f), ext) + "（待签发稿）" + ext
	}
	return out
}

// reportMailBody is what a reader sees before opening anything: which
// document, its 发文字号, the key figures in a few lines and the
// attachments' names.
func reportMailBody(o *Output) string {
	var b strings.Builder
	b.WriteString("各位领导、同事：\n\n")
	fmt.Fprintf(&b, "附件为《%s》第%d版", o.Title, o.Version)
	if o.Number != "" {
		fmt.Fprintf(&b, "（%s）", o.Number)
	}
	b.WriteString("，请查收。\n")
	if o.Replaces > 0 {
		fmt.Fprintf(&b, "本版为更正版，替代第%d版，请以本版为准。\n", o.Replaces)
	}
	if len(o.Summary) > 0 {
		b.WriteString("\n要点：\n")
		for _, l := range o.Summary {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("\n附件：\n")
	for i, f := range o.Files {
		fmt.Fprintf(&b, "  %d．%s\n", i+1, filepath.Base(f))
	}
	b.WriteString("\n（本邮件由 tongbao 自动发送，请勿直接回复）\n")
	return b.String()
}

// SafeID keeps an address usable in a file name.
func SafeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}
