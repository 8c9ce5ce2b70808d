package schedules

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
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
	// AttachmentNames name the attachments in the mail (default: their file names).
	AttachmentNames []string
	MessageID       string    // kept across attempts
	Date            time.Time // in the configured zone
}

// Sender delivers over one channel (mail, a shared folder). It calls sent
// the moment the message is delivered (for SMTP: the server's 250 to DATA),
// before anything else (closing the session), so that a crash can hardly
// fall between delivering and recording it.
type Sender interface {
	Send(ctx context.Context, m Message, sent func() error) error
}

// Channels.
const (
	ChannelSMTP   = pipeline.ChannelSMTP
	ChannelFolder = pipeline.ChannelFolder
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
		if d.MessageID == "" {
			d.MessageID = d.ID + "@tongbao"
		}
		marked := false
		msg := Message{To: d.To, Subject: d.Subject, Body: d.Body, Period: d.Period, Attachments: d.Attachments, AttachmentNames: d.AttachmentNames,
			MessageID: d.MessageID, Date: s.clock.Now().In(s.loc)}
		err := sender.Send(ctx, msg, func() error {
			marked = true
			return s.ws.MarkSent(d.ID, s.clock.Now())
		})
		now := s.clock.Now()
		if err != nil && !marked {
			wait := time.Duration(cfg.RetryFirstSeconds) * time.Second << min(d.Attempts-1, 20)
			wait = min(wait, time.Duration(cfg.RetryMaxSeconds)*time.Second)
			d.LastError, d.NextAttempt = explainDelivery(err), now.Add(wait)
			s.log.Warn("delivery failed", "id", d.ID, "attempt", d.Attempts, "retry_at", d.NextAttempt, "err", err)
		} else {
			if err != nil {
				// Delivered; only closing the session failed.
				s.log.Warn("delivered, then the session failed", "id", d.ID, "err", err)
			}
			d.Status, d.SentAt, d.LastError = pipeline.DeliverySent, now, ""
			s.log.Info("delivered", "id", d.ID, "to", d.To, "attempt", d.Attempts)
			s.ws.Journal(pipeline.JournalEntry{Time: now, Event: "deliver", Periods: []string{d.Period}, Detail: d.ID})
		}
		if _, err := s.ws.PutDelivery(d, true); err != nil {
			s.log.Error("update outbox", "id", d.ID, "err", err)
		}
	}
}

// explainDelivery says in Chinese why a delivery failed, with the mail
// server's reply code (what its administrator needs).
func explainDelivery(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code > 0 {
		code := strconv.Itoa(te.Code)
		if f := strings.Fields(te.Msg); len(f) > 0 && strings.Count(f[0], ".") == 2 {
			code += " " + f[0] // the enhanced status code, 4.3.0
		}
		if te.Code < 500 {
			return "邮件服务器暂时拒绝接收（答复 " + code + "），稍后自动重试"
		}
		return "邮件服务器拒绝接收（答复 " + code + "），请检查收件人地址和发件设置"
	}
	return pipeline.Explain(err)
}

// SMTPSender mails a report with its files attached.
type SMTPSender struct {
	Config   pipeline.SMTPConfig
	Password string
}

// Send delivers one message over SMTP with STARTTLS, TLS or neither,
// calling sent after the server accepted the data and before QUIT.
func (m *SMTPSender) Send(ctx context.Context, msg Message, sent func() error) error {
	cfg := m.Config
	em := mail.NewMsg()
	if err := em.From(cfg.From); err != nil {
		return fmt.Errorf("from %q: %w", cfg.From, err)
	}
	if err := em.To(msg.To); err != nil {
		return fmt.Errorf("to %q: %w", msg.To, err)
	}
	if msg.MessageID != "" {
		em.SetMessageIDWithValue(msg.MessageID)
	}
	if !msg.Date.IsZero() {
		em.SetDateWithValue(msg.Date)
	}
	em.Subject(msg.Subject)
	em.SetBodyString(mail.TypeTextPlain, msg.Body)
	for i, a := range msg.Attachments {
		name := filepath.Base(a)
		if i < len(msg.AttachmentNames) && msg.AttachmentNames[i] != "" {
			name = msg.AttachmentNames[i]
		}
		em.AttachFile(a, mail.WithFileName(name))
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
	// The session is driven step by step so that the delivery is recorded
	// the moment the server accepts the data (250), before anything else is
	// said (go-mail's Send would first RSET, and report a failing RSET as a
	// failed send: a resend of a delivered mail).
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("smtp connect %s: %w", cfg.Host, err)
	}
	defer sc.Close()
	if err := sc.Mail(cfg.From); err != nil {
		return fmt.Errorf("smtp mail from %s: %w", cfg.From, err)
	}
	if err := sc.Rcpt(msg.To); err != nil {
		return fmt.Errorf("smtp rcpt %s: %w", msg.To, err)
	}
	w, err := sc.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := em.WriteTo(w); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil { // reads the server's answer to the data
		return fmt.Errorf("smtp data to %s: %w", msg.To, err)
	}
	// Accepted: record it before anything else can fail.
	if err := sent(); err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	if err := sc.Quit(); err != nil {
		return fmt.Errorf("smtp quit: %w", err)
	}
	return nil
}

// FolderSender copies a report's files into <folder>/<period>/, each file
// under a temporary name first so readers never see half a file.
type FolderSender struct{}

// Send copies the attachments, then calls sent.
func (FolderSender) Send(ctx context.Context, msg Message, sent func() error) error {
	dir := filepath.Join(msg.To, msg.Period)
	for _, a := range msg.Attachments {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := pipeline.CopyFile(filepath.Join(dir, filepath.Base(a)), a); err != nil {
			return err
		}
	}
	return sent()
}
