package loadgen

import "sync"

// sample is one observation. VUs append samples to their own buffer; the
// collector goroutine drains all buffers once per second. This keeps the
// hot path to one uncontended mutex and keeps histograms single-threaded.
type sample struct {
	metric metricID
	scen   uint16
	value  float64 // µs for time trends
	name   string  // request name tag or check name; "" when none
}

type sampleBuf struct {
	mu sync.Mutex
	s  []sample
}

func (b *sampleBuf) add(sm ...sample) {
	b.mu.Lock()
	b.s = append(b.s, sm...)
	b.mu.Unlock()
}

// swap hands the buffered samples out and takes an empty slice to reuse.
func (b *sampleBuf) swap(spare []sample) []sample {
	b.mu.Lock()
	out := b.s
	b.s = spare[:0]
	b.mu.Unlock()
	return out
}

// bufRegistry lists every buffer so the collector can drain them.
type bufRegistry struct {
	mu   sync.Mutex
	bufs []*sampleBuf
}

func (r *bufRegistry) newBuf() *sampleBuf {
	b := &sampleBuf{s: make([]sample, 0, 64)}
	r.mu.Lock()
	r.bufs = append(r.bufs, b)
	r.mu.Unlock()
	return b
}

func (r *bufRegistry) snapshot() []*sampleBuf {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*sampleBuf(nil), r.bufs...)
}
