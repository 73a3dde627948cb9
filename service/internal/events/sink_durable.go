package events

import (
	"context"
	"errors"

	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
	"github.com/challenge-perf/challenge-perf/service/internal/groupcommit"
)

// DurableSink is ACK_MODE=durable (the default): an event is acknowledged only after the batch
// holding it committed in PostgreSQL, together with the record of its id when it is additive. A
// refusal leaves no trace, so the platform's redelivery is applied; a redelivery of an event that
// did commit (its answer was lost) is recognised in the same transaction and not counted again.
type DurableSink struct {
	Committer *groupcommit.Committer
}

// Accept waits for the event's batch to commit. The id travels in u.EventID (mapping sets both).
func (s *DurableSink) Accept(ctx context.Context, _ string, u *buffer.Update) (Outcome, error) {
	err := s.Committer.Submit(ctx, groupcommit.Event{Update: *u})
	switch {
	case err == nil:
		return Applied, nil
	case errors.Is(err, groupcommit.ErrFull):
		return 0, errCommitQueueFull
	case errors.Is(err, groupcommit.ErrClosed):
		return 0, errShuttingDown
	case ctx.Err() != nil:
		return 0, status.FromContextError(ctx.Err()).Err() // the caller is gone; the event may still commit (safe, see above)
	default:
		return 0, errNotCommitted
	}
}
