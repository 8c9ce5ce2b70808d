package schedules

import (
	"context"
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
// them — then retries deliveries and records that the service is alive.
func (s *Service) InboxRun(ctx context.Context) error {
	files, err := s.ws.Inbox()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var ready []pipeline.InboxFile
	for _, f := range files {
		seen[f.Name] = true
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
	changed := false
	for _, f := range ready {
		outs, err := s.ws.ImportFiles(ctx, []string{f.Path}, pipeline.ImportOptions{})
		if err != nil {
			s.log.Error("import failed", "file", f.Name, "err", err)
			continue
		}
		o := outs[0]
		s.log.Info("inbox file handled", "file", f.Name, "status", o.Status, "rows", rowsOf(o))
		if o.Status == pipeline.Imported {
			changed = true
		}
		// Accepted files are in the archive, refused ones in rejected/.
		if err := s.ws.RemoveFromInbox(f.Name); err != nil {
			s.log.Error("clear inbox", "file", f.Name, "err", err)
		}
		delete(s.looks, f.Name)
	}
	if changed {
		s.recheckDue(ctx)
	}
	s.DeliverPending(ctx)
	return s.heartbeat()
}

func rowsOf(o *pipeline.FileOutcome) int {
	if o.Result == nil {
		return 0
	}
	return o.Result.Rows()
}
