package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
	"github.com/challenge-perf/challenge-perf/service/internal/dedupe"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// Deduper remembers event ids (implemented by dedupe.Redis).
type Deduper interface {
	Claim(ctx context.Context, id string) (dedupe.Claim, error)
	Forget(ctx context.Context, id string, c dedupe.Claim) error
}

// BufferedSink is ACK_MODE=buffered: an event is acknowledged once it is in the in-memory buffer
// and its id is marked in Redis; the flusher writes it up to BUFFER_FLUSH_INTERVAL later. Faster to
// answer, but a hard kill loses what was acknowledged and not yet flushed, and the Redis mark then
// turns its redelivery into a "duplicate" (docs/DESIGN_STORAGE.md, "Failure semantics").
type BufferedSink struct {
	Buf      *buffer.Buffer
	Dedupe   Deduper
	FullWait time.Duration // how long an event may wait for an early flush when the buffer is full
	Log      *slog.Logger
}

// Accept reserves capacity before marking the id (a full buffer must not leave a mark behind) and
// removes a mark whose event cannot be buffered.
func (s *BufferedSink) Accept(ctx context.Context, id string, u *statstore.Update) (Outcome, error) {
	if !s.Buf.ReserveWait(ctx, s.FullWait) {
		return 0, errBufferFull
	}
	key := markKey(id, u)
	claim, err := s.Dedupe.Claim(ctx, key)
	if err != nil {
		s.Buf.Release()
		return 0, errUnavailable
	}
	if !claim.Fresh {
		s.Buf.Release()
		return Duplicate, nil
	}
	if err := s.Buf.Add(u); err != nil {
		// Only after shutdown began; un-mark so the redelivery is applied by whoever runs next.
		if ferr := s.Dedupe.Forget(ctx, key, claim); ferr != nil {
			s.Log.Error("event refused but its id stays marked: its redelivery will be dropped as a duplicate",
				"event_id", id, "error", ferr)
		}
		return 0, errShuttingDown
	}
	return Applied, nil
}

// statMark prefixes the marks of stat events. Event ids are one space per protocol: a login and a
// stat update may carry the same id and must not suppress each other. Login marks keep the bare id
// (so marks written before this rule still recognise a redelivered login); a stat's mark starts
// with a control character, which no accepted event id contains (checkEventID).
const statMark = "\x00stat:"

func markKey(id string, u *statstore.Update) string {
	if u.Additive {
		return id
	}
	return statMark + id
}
