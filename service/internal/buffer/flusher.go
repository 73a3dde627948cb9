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
)

// FlusherConfig tunes the flush loop.
type FlusherConfig struct {
	Interval     time.Duration // BUFFER_FLUSH_INTERVAL
	ChunkRows    int           // rows per statement; big catch-up flushes are split so each statement stays short
	WriteTimeout time.Duration // per statement
	MinBackoff   time.Duration // retry delay after a failed flush, doubling up to MaxBackoff
	MaxBackoff   time.Duration
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
}

// Flusher moves the buffer's contents to a Writer on a timer, on demand (buffer full) and at
// shutdown. Failed rows go back into the buffer and are retried with capped backoff: never dropped.
type Flusher struct {
	buf *Buffer
	w   Writer
	cfg FlusherConfig
	m   *Metrics
	log *slog.Logger

	rows []Row // reused between flushes; only the flusher goroutine touches it
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

// FlushOnce writes everything buffered now. On error the unwritten rows are back in the buffer.
func (f *Flusher) FlushOnce(ctx context.Context) error {
	rows := f.buf.takeAll(f.rows[:0])
	f.rows = rows[:0]
	if len(rows) == 0 {
		return nil
	}
	start := time.Now()
	// Sorted so concurrent writers (two handler instances) lock user_stats rows in the same order.
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(strings.Compare(a.UserID, b.UserID), strings.Compare(a.StatKey, b.StatKey))
	})
	var crossed int64
	var firstErr error
	written := 0
	for lo := 0; lo < len(rows); lo += f.cfg.ChunkRows {
		chunk := rows[lo:min(lo+f.cfg.ChunkRows, len(rows))]
		wctx, cancel := context.WithTimeout(ctx, f.cfg.WriteTimeout)
		n, err := f.w.Write(wctx, chunk)
		cancel()
		if err != nil {
			// Each statement is atomic: put back exactly the rows it did not write.
			f.m.FlushErrors.Inc()
			f.buf.putBack(rows[lo:])
			firstErr = err
			break
		}
		crossed += n
		written += len(chunk)
		f.buf.done(len(chunk))
	}
	elapsed := time.Since(start)
	if firstErr != nil {
		f.log.Warn("buffer flush failed; updates kept for retry", "written", written,
			"kept", len(rows)-written, "error", firstErr)
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

func nextBackoff(cur, lo, hi time.Duration) time.Duration {
	if cur <= 0 {
		return lo
	}
	return min(cur*2, hi)
}
