// Package buffer coalesces stat updates in memory and writes them to PostgreSQL in batches, so the
// database sees one row per (user, stat key) per flush interval however many events arrive.
package buffer

import (
	"context"
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

const numShards = 64

// ErrClosed is returned by Add after shutdown began draining the buffer.
var ErrClosed = errors.New("buffer closed")

type shard struct {
	mu sync.Mutex
	m  map[statstore.Key]statstore.Entry
	_  [48]byte // keep neighbouring shards' mutexes off one cache line
}

// Buffer is a sharded map of pending updates with bounded capacity. Capacity is counted in
// distinct keys over three states: live (in the maps), in flight (taken by a flush, not yet
// written or put back) and reserved (an event between Reserve and Add). So memory stays bounded
// while the database is down, and an event is only acknowledged once it is in the buffer.
type Buffer struct {
	shards [numShards]shard
	seed   maphash.Seed
	limit  int64
	used   atomic.Int64
	closed atomic.Bool

	kick chan struct{} // asks the flusher for an early flush

	freedMu sync.Mutex
	freed   chan struct{} // closed (and replaced) whenever a flush releases capacity
}

// New returns a buffer holding at most limit keys.
func New(limit int) *Buffer {
	b := &Buffer{seed: maphash.MakeSeed(), limit: int64(limit), kick: make(chan struct{}, 1), freed: make(chan struct{})}
	for i := range b.shards {
		b.shards[i].m = make(map[statstore.Key]statstore.Entry)
	}
	return b
}

// Limit is the capacity in keys.
func (b *Buffer) Limit() int { return int(b.limit) }

// Len is the number of keys counted against the limit (live + in flight + reserved).
func (b *Buffer) Len() int { return int(b.used.Load()) }

func (b *Buffer) shardOf(userID string) *shard {
	return &b.shards[maphash.String(b.seed, userID)&(numShards-1)]
}

// Reserve takes one unit of capacity without waiting.
func (b *Buffer) Reserve() bool {
	for {
		n := b.used.Load()
		if n >= b.limit {
			return false
		}
		if b.used.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// ReserveWait is Reserve that, when full, asks for an early flush and waits up to wait for it to
// free capacity. False means still full: the caller refuses the event so the platform redelivers.
func (b *Buffer) ReserveWait(ctx context.Context, wait time.Duration) bool {
	if b.Reserve() {
		return true
	}
	b.Kick()
	if wait <= 0 {
		return b.Reserve()
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		freed := b.freedChan()
		if b.Reserve() {
			return true
		}
		select {
		case <-freed:
		case <-t.C:
			return b.Reserve()
		case <-ctx.Done():
			return false
		}
	}
}

// Release returns a reservation that will not be used (duplicate event, de-dup failure).
func (b *Buffer) Release() { b.used.Add(-1) }

// Add merges an update into the buffer, consuming one reservation (also on error).
func (b *Buffer) Add(u *statstore.Update) error {
	if b.closed.Load() {
		b.used.Add(-1)
		return ErrClosed
	}
	s := b.shardOf(u.UserID)
	s.mu.Lock()
	if old, ok := s.m[u.Key]; ok {
		s.m[u.Key] = statstore.Combine(old, statstore.EntryOf(u))
		s.mu.Unlock()
		b.used.Add(-1) // coalesced: the reservation is not needed
		return nil
	}
	s.m[u.Key] = statstore.EntryOf(u)
	s.mu.Unlock()
	return nil
}

// Kick asks the flusher for an early flush; never blocks.
func (b *Buffer) Kick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Close makes later Adds fail; the flusher then drains what is left.
func (b *Buffer) Close() { b.closed.Store(true) }

// takeAll swaps every shard's map for an empty one and returns the entries, which stay counted
// (in flight) until done or putBack. Ingestion only waits for one map swap, never for the write.
func (b *Buffer) takeAll(rows []statstore.Row) []statstore.Row {
	for i := range b.shards {
		s := &b.shards[i]
		s.mu.Lock()
		m := s.m
		if len(m) == 0 {
			s.mu.Unlock()
			continue
		}
		s.m = make(map[statstore.Key]statstore.Entry, len(m))
		s.mu.Unlock()
		for k, e := range m {
			rows = append(rows, e.Row(k))
		}
	}
	return rows
}

// done releases the capacity of n rows that were written.
func (b *Buffer) done(n int) {
	if n == 0 {
		return
	}
	b.used.Add(-int64(n))
	b.signalFreed()
}

// putBack merges rows whose write failed under whatever arrived since (which is newer).
func (b *Buffer) putBack(rows []statstore.Row) {
	merged := 0
	for i := range rows {
		r := &rows[i]
		s := b.shardOf(r.UserID)
		s.mu.Lock()
		if newer, ok := s.m[r.Key]; ok {
			s.m[r.Key] = statstore.Combine(r.Entry(), newer)
			merged++
		} else {
			s.m[r.Key] = r.Entry()
		}
		s.mu.Unlock()
	}
	b.done(merged)
}

func (b *Buffer) freedChan() chan struct{} {
	b.freedMu.Lock()
	defer b.freedMu.Unlock()
	return b.freed
}

func (b *Buffer) signalFreed() {
	b.freedMu.Lock()
	close(b.freed)
	b.freed = make(chan struct{})
	b.freedMu.Unlock()
}
