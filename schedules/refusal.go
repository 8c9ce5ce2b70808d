package schedules

import (
	"context"
	"strings"

	"tongbao/pipeline"
)

// enqueueRefusal queues the refusal mail of a file refused from the inbox
// (pipeline.QueueRefusal) with its marked copy from rejected/.
func (s *Service) enqueueRefusal(ctx context.Context, name string, o *pipeline.FileOutcome) error {
	marked := ""
	for _, f := range o.Rejected {
		if strings.HasSuffix(f, ".errors.xlsx") {
			marked = f
		}
	}
	queued, err := s.ws.QueueRefusal(ctx, name, o.SHA256, o.Result, marked)
	for _, addr := range queued {
		s.log.Info("refusal mail queued", "file", name, "to", addr)
	}
	return err
}
