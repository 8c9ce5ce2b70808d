package schedules

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"tongbao/pipeline"
)

// Message is what a channel delivers: a report version with its files.
type Message struct {
	To          string
	Subject     string
	Body        string
	Period      string
	Attachments []string
}

// Sender delivers over one channel (mail, a shared folder).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Channels.
const (
	ChannelSMTP   = "smtp"
	ChannelFolder = "folder"
)

// Senders builds the configured channels: SMTP when a host is set (the
// password from the environment variable named in the config), the shared
// folder when one is set.
func Senders(cfg pipeline.DeliveryConfig) map[string]Sender {
	out := map[string]Sender{}
	if cfg.SMTP.Host != "" {
		out[ChannelSMTP] = &SMTPSender{Config: cfg.SMTP, Password: os.Getenv(cfg.SMTP.PasswordEnv)}
	}
	if cfg.Folder != "" {
		out[ChannelFolder] = FolderSender{}
	}
	return out
}

// enqueue writes an outbox entry per channel and recipient for a version,
// before anything is sent; an entry already there is not written twice.
func (s *Service) enqueue(kind, period string, out *pipeline.Output) error {
	cfg := s.ws.Config.Delivery
	subj := subject(s.ws.Config.District, kind, period, out.Version)
	body := fmt.Sprintf("各位领导、同事：\n\n附件为《%s》第%d版的 Excel 和 PDF 文件，请查收。\n", strings.TrimPrefix(subj, "【更正】"), out.Version)
	if out.Version > 1 {
		body += fmt.Sprintf("本版为更正版，替代第%d版，请以本版为准。\n", out.Version-1)
	}
	body += "\n（本邮件由 tongbao 自动发送，请勿直接回复）\n"
	var targets []struct{ channel, to string }
	if cfg.Folder != "" {
		targets = append(targets, struct{ channel, to string }{ChannelFolder, cfg.Folder})
	}
	if cfg.SMTP.Host != "" {
		for _, to := range cfg.SMTP.To {
			targets = append(targets, struct{ channel, to string }{ChannelSMTP, to})
		}
	}
	now := s.clock.Now()
	for _, t := range targets {
		id := fmt.Sprintf("%s-%s-v%d-%s-%s", kind, period, out.Version, t.channel, safeID(t.to))
		d := &pipeline.Delivery{ID: id, Kind: kind, Period: period, Version: out.Version, Channel: t.channel, To: t.to,
			Subject: subj, Body: body, Attachments: out.Files, Created: now, NextAttempt: now, Status: pipeline.DeliveryPending}
		created, err := s.ws.PutDelivery(d, false)
		if err != nil {
			return err
		}
		if created {
			s.log.Info("delivery queued", "id", id, "to", t.to)
		}
	}
	return nil
}

func safeID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// DeliverPending sends the outbox entries that are due, with exponential
// backoff after failures. An entry is marked sent right after it is sent,
// so a restart resumes only what is unsent.
func (s *Service) DeliverPending(ctx context.Context) {
	ds, err := s.ws.Deliveries()
	if err != nil {
		s.log.Error("read outbox", "err", err)
		return
	}
	cfg := s.ws.Config.Delivery
	for _, d := range ds {
		if d.Status != pipeline.DeliveryPending || s.clock.Now().Before(d.NextAttempt) || ctx.Err() != nil {
			continue
		}
		sender := s.senders[d.Channel]
		if sender == nil {
			continue // channel not configured (any more)
		}
		d.Attempts++
		err := sender.Send(ctx, Message{To: d.To, Subject: d.Subject, Body: d.Body, Period: d.Period, Attachments: d.Attachments})
		now := s.clock.Now()
		if err != nil {
			wait := time.Duration(cfg.RetryFirstSeconds) * time.Second << min(d.Attempts-1, 20)
			wait = min(wait, time.Duration(cfg.RetryMaxSeconds)*time.Second)
			d.LastError, d.NextAttempt = err.Error(), now.Add(wait)
			s.log.Warn("delivery failed", "id", d.ID, "attempt", d.Attempts, "retry_at", d.NextAttempt, "err", err)
		} else {
			d.Status, d.SentAt, d.LastError = pipeline.DeliverySent, now, ""
			s.log.Info("delivered", "id", d.ID, "to", d.To, "attempt", d.Attempts)
			s.ws.Journal(pipeline.JournalEntry{Time: now, Event: "deliver", Periods: []string{d.Period}, Detail: d.ID})
		}
		if _, err := s.ws.PutDelivery(d, true); err != nil {
			s.log.Error("update outbox", "id", d.ID, "err", err)
		}
	}
}

// SMTPSender mails a report with its files attached.
type SMTPSender struct {
	Config   pipeline.SMTPConfig
	Password string
}

// Send delivers one message over SMTP with STARTTLS, TLS or neither.
func (m *SMTPSender) Send(ctx context.Context, msg Message) error {
	cfg := m.Config
	em := mail.NewMsg()
	if err := em.From(cfg.From); err != nil {
		return fmt.Errorf("from %q: %w", cfg.From, err)
	}
	if err := em.To(msg.To); err != nil {
		return fmt.Errorf("to %q: %w", msg.To, err)
	}
	em.Subject(msg.Subject)
	em.SetBodyString(mail.TypeTextPlain, msg.Body)
	for _, a := range msg.Attachments {
		em.AttachFile(a, mail.WithFileName(filepath.Base(a)))
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(30 * time.Second)}
	switch cfg.Security {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(m.Password))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, em); err != nil {
		return fmt.Errorf("smtp send to %s: %w", msg.To, err)
	}
	return nil
}

// FolderSender copies a report's files into <folder>/<period>/, each file
// under a temporary name first so readers never see half a file.
type FolderSender struct{}

// Send copies the attachments.
func (FolderSender) Send(ctx context.Context, msg Message) error {
	dir := filepath.Join(msg.To, msg.Period)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %q: %w", dir, err)
	}
	for _, a := range msg.Attachments {
		if err := copyInto(filepath.Join(dir, filepath.Base(a)), a); err != nil {
			return err
		}
	}
	return nil
}

func copyInto(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %q: %w", src, err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create in %q: %w", filepath.Dir(dst), err)
	}
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("copy %q: %w", src, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	os.Chmod(tmp.Name(), 0o644)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("rename into %q: %w", dst, err)
	}
	return nil
}
