package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ServiceState is service.json: what the service has run, produced and
// delivered. gocron keeps no record; this is how catch-up knows what came
// due while the service was down.
type ServiceState struct {
	LastSeen  time.Time            `json:"last_seen"` // the service was running at this time
	Started   time.Time            `json:"started"`
	Since     time.Time            `json:"since"`     // its first start: reports due since then are produced
	Jobs      map[string]JobRun    `json:"jobs"`      // by job name
	Due       map[string]time.Time `json:"due"`       // "bulletin 2022-03" → when it came due
	Produced  map[string]int       `json:"produced"`  // → latest version written by the service
	Delivered map[string]int       `json:"delivered"` // → latest version handed to delivery
	Failures  map[string]string    `json:"failures"`  // → last failure, cleared on success
	Retry     map[string]Retry     `json:"retry"`     // → a report that failed: when to try again
	Waiting   map[string]time.Time `json:"waiting"`   // → due without any data yet: produced when it arrives
	// Ignored are inbox entries that are not regular files (links, FIFOs,
	// devices): left in place, never read, remembered so the inbox watch
	// does not try them every minute. By name.
	Ignored map[string]IgnoredFile `json:"ignored,omitempty"`
}

// JobRun is the last run of one job.
type JobRun struct {
	At      time.Time `json:"at"`
	OK      bool      `json:"ok"`
	Error   string    `json:"error,omitempty"`
	CatchUp bool      `json:"catch_up,omitempty"` // run by catch-up, not at its scheduled time
}

// Retry is a report that could not be produced and when it is tried again.
type Retry struct {
	Attempts int       `json:"attempts"`
	Next     time.Time `json:"next"`
}

// IgnoredFile is an inbox entry that is not a regular file.
type IgnoredFile struct {
	What  string    `json:"what"` // 符号链接, 管道 …
	Since time.Time `json:"since"`
}

// ReadServiceState reads service.json (empty state when absent).
func (w *Workspace) ReadServiceState() (*ServiceState, error) {
	st := &ServiceState{}
	data, err := os.ReadFile(w.path("service.json"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read service state: %w", err)
	}
	if err == nil {
		if err := json.Unmarshal(data, st); err != nil {
			return nil, fmt.Errorf("parse service state: %w", err)
		}
	}
	for _, m := range []*map[string]int{&st.Produced, &st.Delivered} {
		if *m == nil {
			*m = map[string]int{}
		}
	}
	if st.Jobs == nil {
		st.Jobs = map[string]JobRun{}
	}
	if st.Due == nil {
		st.Due = map[string]time.Time{}
	}
	if st.Failures == nil {
		st.Failures = map[string]string{}
	}
	if st.Retry == nil {
		st.Retry = map[string]Retry{}
	}
	if st.Waiting == nil {
		st.Waiting = map[string]time.Time{}
	}
	if st.Ignored == nil {
		st.Ignored = map[string]IgnoredFile{}
	}
	return st, nil
}

// WriteServiceState replaces service.json atomically.
func (w *Workspace) WriteServiceState(st *ServiceState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode service state: %w", err)
	}
	return writeFileAtomicAs(w.path("service.json"), append(data, '\n'), tempService)
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
)

// Delivery is one outbox entry: one version of one report to one
// recipient over one channel. It is written before anything is sent.
type Delivery struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"` // bulletin or scorecard
	Period      string   `json:"period"`
	Version     int      `json:"version"`
	Channel     string   `json:"channel"` // smtp or folder
	To          string   `json:"to"`      // address or folder
	Subject     string   `json:"subject"`
	Body        string   `json:"body"`
	Attachments []string `json:"attachments"` // absolute paths of the report files
	// AttachmentNames name the attachments in the mail (default: their file names).
	AttachmentNames []string  `json:"attachment_names,omitempty"`
	MessageID       string    `json:"message_id"` // the same at every attempt: a resent mail can be told from a new one
	Created         time.Time `json:"created"`
	Attempts        int       `json:"attempts"`
	NextAttempt     time.Time `json:"next_attempt"`
	LastError       string    `json:"last_error,omitempty"`
	Status          string    `json:"status"`
	SentAt          time.Time `json:"sent_at,omitzero"`
}

func (w *Workspace) outboxPath(id string) string { return w.path("outbox", id+".json") }

// PutDelivery writes an outbox entry atomically; created reports whether it
// is new (an existing entry with the same ID is left alone unless replace).
func (w *Workspace) PutDelivery(d *Delivery, replace bool) (created bool, err error) {
	p := w.outboxPath(d.ID)
	if _, err := os.Stat(p); err == nil && !replace {
		return false, nil
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return false, fmt.Errorf("encode delivery: %w", err)
	}
	return true, writeFileAtomicAs(p, append(data, '\n'), tempService)
}

// sentLog is outbox/sent.jsonl: deliveries the server accepted, one line
// each, appended the moment it answered (one fsync); the entry's own file
// is updated afterwards.
const sentLog = "sent.jsonl"

type sentMark struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// MarkSent records at once that a delivery was accepted: called by a
// sender between the server's acceptance and the end of the session, so a
// crash can hardly fall between sending and knowing it was sent. The log
// stays open: a mark costs one write and one fsync.
func (w *Workspace) MarkSent(id string, at time.Time) error {
	data, _ := json.Marshal(sentMark{ID: id, At: at})
	w.sentMu.Lock()
	defer w.sentMu.Unlock()
	if w.sentLog == nil {
		f, err := openAppend(w.path("outbox", sentLog))
		if err != nil {
			return err
		}
		w.sentLog = f
	}
	if _, err := w.sentLog.Write(append(data, '\n')); err != nil {
		w.sentLog.Close()
		w.sentLog = nil
		return fmt.Errorf("append sent log: %w", err)
	}
	if err := w.sentLog.Sync(); err != nil {
		w.sentLog.Close()
		w.sentLog = nil
		return fmt.Errorf("sync sent log: %w", err)
	}
	return nil
}

// sentMarks reads outbox/sent.jsonl.
func (w *Workspace) sentMarks() (map[string]time.Time, error) {
	data, err := os.ReadFile(w.path("outbox", sentLog))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sent log: %w", err)
	}
	out := map[string]time.Time{}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var m sentMark
		if json.Unmarshal(line, &m) == nil && m.ID != "" {
			out[m.ID] = m.At // a line cut by a crash is skipped
		}
	}
	return out, nil
}

// Deliveries lists the outbox, oldest first.
func (w *Workspace) Deliveries() ([]*Delivery, error) {
	files, err := filepath.Glob(w.path("outbox", "*.json"))
	if err != nil {
		return nil, err
	}
	sent, err := w.sentMarks()
	if err != nil {
		return nil, err
	}
	var out []*Delivery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %q: %w", f, err)
		}
		d := &Delivery{}
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("parse %q: %w", f, err)
		}
		if at, ok := sent[d.ID]; ok && d.Status != DeliverySent {
			d.Status, d.SentAt, d.LastError = DeliverySent, at, ""
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// InboxFile is a file waiting in the inbox.
type InboxFile struct {
	Name    string
	Path    string
	Size    int64
	ModTime time.Time
	Locked  bool   // an editor holds it open (~$name or .~lock.name#)
	Special string // not a regular file: what it is (符号链接, 管道 …); it is never read
}

// editorFile reports the lock and temp files of Excel, WPS and LibreOffice.
func editorFile(name string) bool {
	return strings.HasPrefix(name, "~$") || strings.HasPrefix(name, ".~lock.") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp")
}

// Inbox lists the files waiting in inbox/, skipping editors' lock files.
func (w *Workspace) Inbox() ([]InboxFile, error) {
	entries, err := os.ReadDir(w.path("inbox"))
	if err != nil {
		return nil, fmt.Errorf("read inbox: %w", err)
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	var out []InboxFile
	for _, e := range entries {
		if e.IsDir() || editorFile(e.Name()) {
			continue
		}
		info, err := e.Info() // Lstat: a link is seen as a link
		if err != nil {
			continue // removed meanwhile
		}
		f := InboxFile{Name: e.Name(), Path: w.path("inbox", e.Name()), Size: info.Size(), ModTime: info.ModTime(),
			Locked: names["~$"+e.Name()] || names[".~lock."+e.Name()+"#"]}
		if !regularMode(info.Mode()) {
			f.Special = kindOfMode(info.Mode())
		}
		out = append(out, f)
	}
	return out, nil
}

// RemoveFromInbox takes a file out of the inbox once it has been archived
// or put in rejected/ (retried briefly while another program holds it).
func (w *Workspace) RemoveFromInbox(name string) error {
	p := w.path("inbox", filepath.Base(name))
	var err error
	for i := 0; i < 10; i++ {
		if err = os.Remove(p); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if !sharingViolation(err) {
			break
		}
		time.Sleep(time.Duration(50<<min(i, 4)) * time.Millisecond)
	}
	return fmt.Errorf("remove %q from inbox: %w", name, err)
}

// RejectedFiles lists the refused files kept in rejected/, newest first.
func (w *Workspace) RejectedFiles() ([]RejectedInfo, error) {
	files, err := filepath.Glob(w.path("rejected", "*.json"))
	if err != nil {
		return nil, err
	}
	var out []RejectedInfo
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var info RejectedInfo
		if json.Unmarshal(data, &info) == nil && info.File != "" {
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// Journal appends an entry to journal.jsonl.
func (w *Workspace) Journal(e JournalEntry) error {
	if e.Time.IsZero() {
		e.Time = w.now()
	}
	return appendJournal(w.path("journal.jsonl"), e)
}

// Now is the workspace's clock.
func (w *Workspace) Now() time.Time { return w.now() }
