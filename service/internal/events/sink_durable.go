package events

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/service/internal/groupcommit"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// DurableSink is ACK_MODE=durable (the default): an event is acknowledged only after the batch
// holding it committed in PostgreSQL, together with the record of its id when it is additive. A
// refusal leaves no trace, so the platform's redelivery is applied; a redelivery of an event that
// did commit (its answer was lost) is recognised in the same transaction and not counted again.
type DurableSink struct {
	Committer *groupcommit.Committer
}

// errCommitsBackingOff: a commit failed a moment ago; the event was refused without an attempt of
// its own, so a database that is down sees about one connection attempt per second, not one per batch.
var errCommitsBackingOff = status.Error(codes.Unavailable, "event not committed: the database failed the last commit, commits paused briefly; retry later")

// Accept waits for the event's batch to commit. The id travels in u.EventID (mapping sets both).
func (s *DurableSink) Accept(ctx context.Context, _ string, u *statstore.Update) (Outcome, error) {
	err := s.Committer.Submit(ctx, groupcommit.Event{Update: *u})
	switch {
	case err == nil:
		return Applied, nil
	case errors.Is(err, groupcommit.ErrFull):
		return 0, errCommitQueueFull
	case errors.Is(err, groupcommit.ErrClosed):
		return 0, errShuttingDown
	case errors.Is(err, groupcommit.ErrUnavailable):
		return 0, errCommitsBackingOff
	case ctx.Err() != nil:
		return 0, status.FromContextError(ctx.Err()).Err() // the caller is gone; its event is left out of a commit not yet begun, or may commit (safe, see above)
	default:
		return 0, errNotCommitted
	}
}
