package groupcommit

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// pruneSQL deletes up to $2 applied ids older than $1. Small chunks keep each statement short so
// that commits never wait long behind it.
const pruneSQL = `
DELETE FROM applied_events WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM applied_events WHERE applied_at < $1 LIMIT $2))`

// Pruner keeps applied_events to the redelivery window: an id older than Retention is forgotten,
// so a redelivery later than that would count again (docs/DESIGN_STORAGE.md states the bound).
type Pruner struct {
	Pool      *pgxpool.Pool
	Retention time.Duration // APPLIED_EVENTS_RETENTION
	Every     time.Duration // how often to prune (default Retention/10, at most one minute)
	Chunk     int           // rows per statement (default 10,000)
	Log       *slog.Logger
	Pruned    prometheus.Counter // may be nil
}

// NewPrunedCounter registers applied_events_pruned_total on reg (nil: unregistered).
func NewPrunedCounter(reg prometheus.Registerer) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "applied_events_pruned_total", Help: "Applied event ids deleted after APPLIED_EVENTS_RETENTION.",
	})
	if reg != nil {
		reg.MustRegister(c)
	}
	return c
}

// Run prunes until ctx ends.
func (p *Pruner) Run(ctx context.Context) {
	every := p.Every
	if every <= 0 {
		every = min(time.Minute, max(time.Second, p.Retention/10))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := p.Once(ctx, time.Now()); err != nil && ctx.Err() == nil {
				p.Log.Warn("pruning applied event ids failed; retrying at the next tick", "error", err)
			}
		}
	}
}

// Once deletes every id applied before now-Retention and returns how many.
func (p *Pruner) Once(ctx context.Context, now time.Time) (int64, error) {
	chunk := p.Chunk
	if chunk <= 0 {
		chunk = 10_000
	}
	cutoff := now.Add(-p.Retention)
	var total int64
	for {
		tag, err := p.Pool.Exec(ctx, pruneSQL, cutoff, chunk)
		if err != nil {
			return total, err
		}
		n := tag.RowsAffected()
		total += n
		if p.Pruned != nil {
			p.Pruned.Add(float64(n))
		}
		if n < int64(chunk) {
			return total, nil
		}
	}
}
