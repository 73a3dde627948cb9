package buffer

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// FlusherConfig tunes the flush loop.
type FlusherConfig struct {
	Interval     time.Duration // BUFFER_FLUSH_INTERVAL
	ChunkRows    int           // rows per statement; big catch-up flushes are split so each statement stays short
	WriteTimeout time.Duration // per statement
	MinBackoff   time.Duration // retry delay after a failed flush, doubling up to MaxBackoff
	MaxBackoff   time.Duration
	// FlushIDRetention is how long a flush id is remembered (default 1 h); PruneEvery how often
	// older ones are deleted (default 1 min). Only a flush whose retry comes later than the
	// retention could be applied twice: a failed statement is retried before anything else, and
	// this flusher prunes only while none is pending.
	FlushIDRetention time.Duration
	PruneEvery       time.Duration
}

func (c *FlusherConfig) defaults() {
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.ChunkRows <= 0 {
		c.ChunkRows = 10_000
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(5*time.Second, c.MinBackoff)
	}
	if c.FlushIDRetention <= 0 {
		c.FlushIDRetention = time.Hour
	}
	if c.PruneEvery <= 0 {
		c.PruneEvery = time.Minute
	}
}

// Flusher moves the buffer's contents to a Writer on a timer, on demand (buffer full) and at
// shutdown. Every statement carries a fresh flush id. A statement that failed may still have
// committed (its reply lost), so it is kept as it was — rows and id — and retried before anything
// else until it succeeds: the writer applies it once whichever attempt committed. Rows after it in
// the same flush were never sent and go back into the buffer. Nothing is dropped; retries back off.
type Flusher struct {
	buf *Buffer
	w   Writer
	cfg FlusherConfig
	m   *Metrics
	log *slog.Logger

	rows      []statstore.Row // reused between flushes; only the flusher goroutine touches it
	pending   *pendingFlush   // a failed statement, retried before anything else
	lastPrune time.Time
}

// pendingFlush is a statement whose outcome is unknown. Its rows stay counted against the buffer's
// capacity (in flight) and are not merged with later updates of the same keys: a retry must send
// exactly what the first attempt sent, or a committed attempt could not be recognised.
type pendingFlush struct {
	id   string
	rows []statstore.Row
}

// flushIDPruner is implemented by writers that record flush ids (PGWriter).
type flushIDPruner interface {
	PruneFlushIDs(ctx context.Context, olderThan time.Duration) (int64, error)
}

// NewFlusher wires a flusher; m may come from NewMetrics(nil, b).
func NewFlusher(b *Buffer, w Writer, cfg FlusherConfig, m *Metrics, log *slog.Logger) *Flusher {
	cfg.defaults()
	return &Flusher{buf: b, w: w, cfg: cfg, m: m, log: log}
}

// Run flushes every interval (or when kicked) until ctx ends. Call Drain afterwards.
func (f *Flusher) Run(ctx context.Context) {
	wait := f.cfg.Interval
	backoff := time.Duration(0)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		kick := f.buf.kick
		if backoff > 0 {
			kick = nil // a full buffer must not turn the retry delay into a busy loop
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
		// A write in progress at shutdown finishes on its own deadline instead of failing
		// half-way; Drain then handles what remains.
		if err := f.FlushOnce(context.WithoutCancel(ctx)); err != nil {
			backoff = nextBackoff(backoff, f.cfg.MinBackoff, f.cfg.MaxBackoff)
			wait = backoff
		} else {
			backoff, wait = 0, f.cfg.Interval
			f.pruneFlushIDs(ctx)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(wait)
	}
}

// Drain closes the buffer to new events and flushes until it is empty, retrying failures until ctx
// ends. Call it after the gRPC server stopped and Run returned.
func (f *Flusher) Drain(ctx context.Context) error {
	f.buf.Close()
	backoff := time.Duration(0)
	for {
		if f.buf.Len() == 0 {
			return nil
		}
		err := f.FlushOnce(ctx)
		if err == nil && f.buf.Len() == 0 {
			return nil
		}
		delay := 10 * time.Millisecond // only reservations left: their handlers are finishing
		if err != nil {
			backoff = nextBackoff(backoff, f.cfg.MinBackoff, f.cfg.MaxBackoff)
			delay = backoff
		}
		select {
		case <-ctx.Done():
			n := f.buf.Len()
			f.log.Error("buffer drain gave up: updates lost", "entries", n, "error", errors.Join(err, ctx.Err()))
			return errors.New("buffer drain: " + strconv.Itoa(n) + " entries not written: " + ctx.Err().Error())
		case <-time.After(delay):
		}
	}
}

// FlushOnce retries the pending statement, if any, then writes everything buffered now. On error
// the failed statement is pending and the rows never sent are back in the buffer.
func (f *Flusher) FlushOnce(ctx context.Context) error {
	if f.pending != nil {
		if err := f.retryPending(ctx); err != nil {
			return err
		}
	}
	rows := f.buf.takeAll(f.rows[:0])
	f.rows = rows[:0]
	if len(rows) == 0 {
		return nil
	}
	start := time.Now()
	// Sorted so concurrent writers (two handler instances) lock user_stats rows in the same order.
	slices.SortFunc(rows, func(a, b statstore.Row) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.StatKey, b.StatKey))
	})
	var crossed int64
	var firstErr error
	written := 0
	for lo := 0; lo < len(rows); lo += f.cfg.ChunkRows {
		chunk := rows[lo:min(lo+f.cfg.ChunkRows, len(rows))]
		id := NewFlushID()
		wctx, cancel := context.WithTimeout(ctx, f.cfg.WriteTimeout)
		n, _, err := f.w.Write(wctx, id, chunk) // a fresh id cannot have been applied
		cancel()
		if err != nil {
			// Each statement is atomic, but this one may have committed: keep it as it is for the
			// retry; the rows after it were never sent.
			f.m.FlushErrors.Inc()
			f.pending = &pendingFlush{id: id, rows: slices.Clone(chunk)}
			f.buf.putBack(rows[lo+len(chunk):])
			firstErr = err
			break
		}
		crossed += n
		written += len(chunk)
		f.buf.done(len(chunk))
	}
	elapsed := time.Since(start)
	if firstErr != nil {
		f.log.Warn("buffer flush failed; updates kept for retry (the failed statement as it was, with its flush id)",
			"written", written, "kept", len(rows)-written, "error", firstErr)
		clear(rows) // drop string references held by the reused slice
		return firstErr
	}
	f.m.FlushEntries.Observe(float64(written))
	f.m.FlushDuration.Observe(elapsed.Seconds())
	f.m.FlushedEntries.Add(float64(written))
	f.m.Completions.Add(float64(crossed))
	ms := strconv.FormatFloat(float64(elapsed.Microseconds())/1000, 'f', 1, 64)
	f.log.Info("buffer flush: "+strconv.Itoa(written)+" updates in "+ms+"ms",
		"updates", written, "duration_ms", ms, "thresholds_crossed", crossed, "buffered", f.buf.Len())
	clear(rows)
	return nil
}

// retryPending writes the pending statement again with its id. Success releases its capacity,
// whichever attempt committed.
func (f *Flusher) retryPending(ctx context.Context) error {
	p := f.pending
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, f.cfg.WriteTimeout)
	crossed, replayed, err := f.w.Write(wctx, p.id, p.rows)
	cancel()
	if err != nil {
		f.m.FlushErrors.Inc()
		f.log.Warn("buffer flush retry failed; the statement is kept for the next retry", "updates", len(p.rows), "error", err)
		return err
	}
	f.pending = nil
	f.buf.done(len(p.rows))
	f.m.FlushEntries.Observe(float64(len(p.rows)))
	f.m.FlushDuration.Observe(time.Since(start).Seconds())
	f.m.FlushedEntries.Add(float64(len(p.rows)))
	f.m.Completions.Add(float64(crossed))
	if replayed {
		f.m.FlushReplays.Inc()
		f.log.Warn("buffer flush retry: the failed attempt had committed (its reply was lost); nothing applied twice",
			"updates", len(p.rows))
	} else {
		f.log.Info("buffer flush retry: "+strconv.Itoa(len(p.rows))+" updates written", "updates", len(p.rows))
	}
	clear(p.rows)
	return nil
}

// pruneFlushIDs deletes old flush ids every PruneEvery, never while a statement is pending (its
// id must outlive its retries). A failure is logged and tried again at the next period.
func (f *Flusher) pruneFlushIDs(ctx context.Context) {
	p, ok := f.w.(flushIDPruner)
	if !ok || f.pending != nil || time.Since(f.lastPrune) < f.cfg.PruneEvery {
		return
	}
	f.lastPrune = time.Now()
	pctx, cancel := context.WithTimeout(ctx, f.cfg.WriteTimeout)
	defer cancel()
	if _, err := p.PruneFlushIDs(pctx, f.cfg.FlushIDRetention); err != nil && ctx.Err() == nil {
		f.log.Warn("pruning flush ids failed; retrying in "+f.cfg.PruneEvery.String(), "error", err)
	}
}

func nextBackoff(cur, lo, hi time.Duration) time.Duration {
	if cur <= 0 {
		return lo
	}
	return min(cur*2, hi)
}
