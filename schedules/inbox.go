package schedules

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"tongbao/pipeline"
)

// look is what the inbox watch saw of a file last time.
type look struct {
	size    int64
	modTime time.Time
}

// InboxRun imports the inbox files that are complete — size and
// modification time unchanged since the previous look, no editor holding
// them — then produces what came due and could not be produced yet,
// retries deliveries and records that the service is alive. Entries that
// are not regular files are never read: they are remembered and shown in
// status until they go.
func (s *Service) InboxRun(ctx context.Context) error {
	files, err := s.ws.Inbox()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var ready []pipeline.InboxFile
	var special []pipeline.InboxFile
	for _, f := range files {
		seen[f.Name] = true
		if f.Special != "" {
			special = append(special, f)
			continue
		}
		now := look{size: f.Size, modTime: f.ModTime}
		prev, ok := s.looks[f.Name]
		s.looks[f.Name] = now
		switch {
		case f.Locked:
			s.log.Info("inbox file open in an editor", "file", f.Name)
			delete(s.looks, f.Name)
		case ok && prev == now:
			ready = append(ready, f)
		default:
			s.log.Info("inbox file seen, waiting for it to settle", "file", f.Name, "size", f.Size)
		}
	}
	for name := range s.looks {
		if !seen[name] {
			delete(s.looks, name)
		}
	}
	if err := s.rememberSpecial(special, seen); err != nil {
		s.log.Error("record inbox entries", "err", err)
	}
	changed := false
	for _, f := range ready {
		outs, err := s.ws.ImportFiles(ctx, []string{f.Path}, pipeline.ImportOptions{})
		s.recordInboxFailure(f.Name, err)
		if err != nil {
			// The workspace (busy, a disk full …), not the file: it stays
			// and is tried at the next look; status shows why.
			s.log.Error("import failed", "file", f.Name, "err", err)
			continue
		}
		o := outs[0]
		s.log.Info("inbox file handled", "file", f.Name, "status", o.Status, "rows", rowsOf(o))
		if o.Status == pipeline.Imported {
			changed = true
		}
		if o.Status == pipeline.Rejected && !o.Unread {
			if err := s.enqueueRefusal(ctx, f.Name, o); err != nil {
				s.log.Error("queue the refusal mail", "file", f.Name, "err", err)
			}
		}
		if o.Unread {
			continue // removed or replaced meanwhile: the next look sees it
		}
		// Accepted files are in the archive, refused ones in rejected/.
		if err := s.ws.RemoveFromInbox(f.Name); err != nil {
			s.log.Error("clear inbox", "file", f.Name, "err", err)
		}
		delete(s.looks, f.Name)
	}
	if st, err := os.Stat(filepath.Join(s.ws.Home, "catalog.json")); err == nil {
		now := look{size: st.Size(), modTime: st.ModTime()}
		if s.catalogSeen != (look{}) && s.catalogSeen != now {
			changed = true
		}
		s.catalogSeen = now
	}
	if changed {
		s.recheckDue(ctx)
	}
	return s.CatchUp(ctx) // delivers what is pending and records the heartbeat
}

// rememberSpecial records the inbox entries that are not regular files
// (logged once each) and forgets those that went.
func (s *Service) rememberSpecial(special []pipeline.InboxFile, present map[string]bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.ws.ReadServiceState()
	if err != nil {
		return err
	}
	changed := false
	for _, f := range special {
		if prev, ok := st.Ignored[f.Name]; ok && prev.What == f.Special {
			continue
		}
		st.Ignored[f.Name] = pipeline.IgnoredFile{What: f.Special, Since: s.clock.Now()}
		s.log.Warn("inbox entry is not a regular file: left in place, not read", "file", f.Name, "what", f.Special)
		changed = true
	}
	for name := range st.Ignored {
		if !present[name] {
			delete(st.Ignored, name)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return s.ws.WriteServiceState(st)
}

// recordInboxFailure keeps the last failure to handle an inbox file for
// status (cleared when the file is handled).
func (s *Service) recordInboxFailure(name string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, rerr := s.ws.ReadServiceState()
	if rerr != nil {
		return
	}
	key := "inbox " + name
	if err == nil {
		if _, ok := st.Failures[key]; !ok {
			return
		}
		delete(st.Failures, key)
	} else {
		st.Failures[key] = pipeline.Explain(err)
	}
	if werr := s.ws.WriteServiceState(st); werr != nil {
		s.log.Error("write service state", "err", werr)
	}
}

func rowsOf(o *pipeline.FileOutcome) int {
	if o.Result == nil {
		return 0
	}
	return o.Result.Rows()
}
