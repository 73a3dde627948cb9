// Package events implements the two OnMessage gRPC services: it validates events, maps them to stat
// updates and hands them to a Sink, which decides when an event may be acknowledged (durable: after
// its batch committed; buffered: once it is in memory and its id is marked in Redis).
package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// Sink takes one accepted event. A nil error means the event may be acknowledged; errors are gRPC
// statuses the platform understands (UNAVAILABLE, RESOURCE_EXHAUSTED: it redelivers).
type Sink interface {
	Accept(ctx context.Context, id string, u *statstore.Update) (Outcome, error)
}

// Outcome is what a sink did with an event it did not refuse.
type Outcome int

// Outcomes.
const (
	Applied   Outcome = iota // applied (or, durable mode, committed — possibly a redelivery of an absolute stat)
	Duplicate                // recognised as already applied and not applied again
)

// Config holds the handler's settings.
type Config struct {
	Namespace string        // AB_NAMESPACE: other namespaces are acknowledged and ignored
	MaxSkew   time.Duration // how far in the future an event timestamp may lie (EVENT_MAX_FUTURE_SKEW)
}

// DefaultMaxSkew: a clock a few minutes off is tolerated; a timestamp further ahead would win
// every last-writer-wins comparison of its stat until then, so it is refused.
const DefaultMaxSkew = 5 * time.Minute

// Handler holds the event pipeline shared by both services.
type Handler struct {
	cfg  Config
	cat  *challenges.Catalog
	sink Sink
	m    *Metrics
	log  *slog.Logger
	now  func() time.Time
}

// NewHandler wires a handler; m may come from NewMetrics(nil).
func NewHandler(cfg Config, cat *challenges.Catalog, sink Sink, m *Metrics, log *slog.Logger) *Handler {
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = DefaultMaxSkew
	}
	return &Handler{cfg: cfg, cat: cat, sink: sink, m: m, log: log, now: time.Now}
}

// handle runs the pipeline for one mapped event: invalid input is refused for good
// (INVALID_ARGUMENT), events of another namespace or of a stat no goal uses are acknowledged
// without effect, the rest go to the sink.
func (h *Handler) handle(ctx context.Context, o *outcomes, ev *event, mapErr error) error {
	if mapErr != nil {
		o.invalid.Inc()
		return mapErr
	}
	if ev.namespace != h.cfg.Namespace {
		o.ignored.Inc()
		h.m.ignoredNamespace.Inc()
		return nil
	}
	if len(h.cat.GoalsForStatKey(ev.update.StatKey)) == 0 {
		o.ignored.Inc()
		h.m.ignoredGoals.Inc()
		return nil
	}
	out, err := h.sink.Accept(ctx, ev.id, &ev.update)
	switch {
	case err == nil && out == Duplicate:
		o.duplicate.Inc()
	case err == nil:
		o.applied.Inc()
	case isExhausted(err):
		o.exhausted.Inc()
	default:
		o.unavailable.Inc()
	}
	return err
}
