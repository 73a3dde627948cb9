// Package events implements the two OnMessage gRPC services: it validates events, maps them to stat
// updates, de-duplicates them by id and puts them into the coalescing buffer.
package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/challenge-perf/challenge-perf/internal/buffer"
	"github.com/challenge-perf/challenge-perf/internal/challenges"
	"github.com/challenge-perf/challenge-perf/internal/dedupe"
)

// Deduper remembers event ids (implemented by dedupe.Redis).
type Deduper interface {
	Claim(ctx context.Context, id string) (dedupe.Claim, error)
	Forget(ctx context.Context, id string, c dedupe.Claim) error
}

// Config holds the handler's settings.
type Config struct {
	Namespace string        // AB_NAMESPACE: other namespaces are acknowledged and ignored
	FullWait  time.Duration // how long an event may wait for an early flush when the buffer is full
	MaxSkew   time.Duration // how far in the future an event timestamp may lie
}

// Handler holds the event pipeline shared by both services.
type Handler struct {
	cfg Config
	cat *challenges.Catalog
	buf *buffer.Buffer
	dd  Deduper
	m   *Metrics
	log *slog.Logger
	now func() time.Time
}

// NewHandler wires a handler; m may come from NewMetrics(nil).
func NewHandler(cfg Config, cat *challenges.Catalog, buf *buffer.Buffer, dd Deduper, m *Metrics, log *slog.Logger) *Handler {
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 24 * time.Hour
	}
	return &Handler{cfg: cfg, cat: cat, buf: buf, dd: dd, m: m, log: log, now: time.Now}
}

// handle runs the pipeline for one mapped event. The order guarantees that nothing acknowledged is
// lost and nothing counts twice: capacity is reserved before the id is marked (a full buffer must
// not leave a mark behind), and a mark whose event cannot be buffered is removed again.
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
	if !h.buf.ReserveWait(ctx, h.cfg.FullWait) {
		o.exhausted.Inc()
		return errBufferFull
	}
	claim, err := h.dd.Claim(ctx, ev.id)
	if err != nil {
		h.buf.Release()
		o.unavailable.Inc()
		return errUnavailable
	}
	if !claim.Fresh {
		h.buf.Release()
		o.duplicate.Inc()
		return nil
	}
	if err := h.buf.Add(&ev.update); err != nil {
		// Only after shutdown began; un-mark so the redelivery is applied by whoever runs next.
		if ferr := h.dd.Forget(ctx, ev.id, claim); ferr != nil {
			h.log.Error("event refused but its id stays marked: its redelivery will be dropped as a duplicate",
				"event_id", ev.id, "error", ferr)
		}
		o.unavailable.Inc()
		return errShuttingDown
	}
	o.applied.Inc()
	return nil
}
