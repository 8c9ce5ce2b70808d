package pipeline

import (
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
	Jobs      map[string]JobRun    `json:"jobs"`      // by job name
	Due       map[string]time.Time `json:"due"`       // "bulletin 2022-03" → when it came due
	Produced  map[string]int       `json:"produced"`  // → latest version written by the service
	Delivered map[string]int       `json:"delivered"` // → latest version handed to delivery
	Failures  map[string]string    `json:"failures"`  // → last failure, cleared on success
}

// JobRun is the last run of one job.
type JobRun struct {
	At    time.Time `json:"at"`
	OK    bool      `json:"ok"`
	Error string    `json:"error,omitempty"`
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
	return st, nil
}

// WriteServiceState replaces service.json atomically.
func (w *Workspace) WriteServiceState(st *ServiceState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode service state: %w", err)
	}
	return writeFileAtomic(w.path("service.json"), append(data, '\n'))
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
)

// Delivery is one outbox entry: one version of one report to one
// recipient over one channel. It is written before anything is sent.
type Delivery struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"` // bulletin or scorecard
	Period      string    `json:"period"`
	Version     int       `json:"version"`
	Channel     string    `json:"channel"` // smtp or folder
	To          string    `json:"to"`      // address or folder
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	Attachments []string  `json:"attachments"` // absolute paths of the report files
	Created     time.Time `json:"created"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LastError   string    `json:"last_error,omitempty"`
	Status      string    `json:"status"`
	SentAt      time.Time `json:"sent_at,omitzero"`
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
	return true, writeFileAtomic(p, append(data, '\n'))
}

// Deliveries lists the outbox, oldest first.
func (w *Workspace) Deliveries() ([]*Delivery, error) {
	files, err := filepath.Glob(w.path("outbox", "*.json"))
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
	Locked  bool // an editor holds it open (~$name or .~lock.name#)
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
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, InboxFile{Name: e.Name(), Path: w.path("inbox", e.Name()), Size: info.Size(), ModTime: info.ModTime(),
			Locked: names["~$"+e.Name()] || names[".~lock."+e.Name()+"#"]})
	}
	return out, nil
}

// RemoveFromInbox takes a file out of the inbox once it has been archived
// or put in rejected/.
func (w *Workspace) RemoveFromInbox(name string) error {
	if err := os.Remove(w.path("inbox", filepath.Base(name))); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove %q from inbox: %w", name, err)
	}
	return nil
}

// RejectedFiles lists the refused files waiting in rejected/.
func (w *Workspace) RejectedFiles() ([]string, error) {
	files, err := filepath.Glob(w.path("rejected", "*.errors.txt"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".errors.txt"))
	}
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
