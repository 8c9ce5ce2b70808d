package pipeline

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// JournalEntry is one line of journal.jsonl: an import, a refusal, a run or
// a delivery. Fields that do not apply are left out.
type JournalEntry struct {
	Time       time.Time      `json:"time"`
	Event      string         `json:"event"` // import, reject, ...
	File       string         `json:"file,omitempty"`
	SHA256     string         `json:"sha256,omitempty"`
	Dataset    string         `json:"dataset,omitempty"`
	Periods    []string       `json:"periods,omitempty"`
	Rows       int            `json:"rows,omitempty"`
	Errors     int            `json:"errors,omitempty"`
	Warnings   int            `json:"warnings,omitempty"`
	Superseded []Supersession `json:"superseded,omitempty"`
	Uncovered  []Supersession `json:"uncovered,omitempty"` // what a retraction made live again
	Detail     string         `json:"detail,omitempty"`
}

// appendJournal adds one line and syncs it: the journal is append-only.
func appendJournal(path string, e JournalEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode journal entry: %w", err)
	}
	return appendLine(path, data)
}

// appendLine appends one line to an append-only file and syncs it. A line
// cut by a crash is ended first, so the new one starts on its own line
// (readers skip the cut one).
func appendLine(path string, line []byte) error {
	f, err := openAppend(path)
	if err != nil {
		return err
	}
	out := append(line, '\n')
	if _, err := f.Write(out); err != nil {
		f.Close()
		return fmt.Errorf("append %q: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %q: %w", path, err)
	}
	return f.Close()
}

// openAppend opens an append-only file, ending a line a crash cut off.
func openAppend(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %q: %w", path, err)
	}
	var last [1]byte
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		if _, err := f.ReadAt(last[:], st.Size()-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, fmt.Errorf("append %q: %w", path, err)
			}
		}
	}
	return f, nil
}

// journalHas reports whether the journal has an entry of event for sha.
func (w *Workspace) journalHas(event, sha string) (bool, error) {
	f, err := os.Open(w.path("journal.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open journal: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e struct {
			Event  string `json:"event"`
			SHA256 string `json:"sha256"`
		}
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Event == event && e.SHA256 == sha {
			return true, nil
		}
	}
	return false, sc.Err()
}
