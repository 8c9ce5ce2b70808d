package pipeline

import (
	"encoding/json"
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
	Detail     string         `json:"detail,omitempty"`
}

// appendJournal adds one line and syncs it: the journal is append-only.
func appendJournal(path string, e JournalEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode journal entry: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open journal %q: %w", path, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("append journal %q: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync journal %q: %w", path, err)
	}
	return f.Close()
}
