package loadgen

import (
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Trend stores samples in an HdrHistogram (3 significant digits) in
// micro-units (µs for times) and keeps exact count, sum, min and max because
// the histogram only knows bucket edges. Not goroutine-safe: only the
// collector goroutine touches trends.
type Trend struct {
	h     *hdr.Histogram
	count int64
	sum   float64 // in micro-units
	min   float64
	max   float64
}

// trendMax is the largest trackable value: one hour in µs. Larger values
// are clamped into the top bucket (min/max stay exact).
const trendMax = int64(time.Hour / time.Microsecond)

func newTrend() *Trend {
	return &Trend{h: hdr.New(1, trendMax, 3), min: math.Inf(1), max: math.Inf(-1)}
}

// Add records one value in micro-units.
func (t *Trend) Add(v float64) {
	if v < 0 {
		v = 0
	}
	iv := int64(math.Round(v))
	if iv > trendMax {
		iv = trendMax
	}
	_ = t.h.RecordValue(iv)
	t.count++
	t.sum += v
	t.min = math.Min(t.min, v)
	t.max = math.Max(t.max, v)
}

// Merge adds another trend's samples.
func (t *Trend) Merge(o *Trend) {
	if o.count == 0 {
		return
	}
	t.h.Merge(o.h)
	t.count += o.count
	t.sum += o.sum
	t.min = math.Min(t.min, o.min)
	t.max = math.Max(t.max, o.max)
}

// Reset empties the trend for reuse (per-second intervals).
func (t *Trend) Reset() {
	if t.count == 0 {
		return
	}
	t.h.Reset()
	t.count, t.sum = 0, 0
	t.min, t.max = math.Inf(1), math.Inf(-1)
}

func (t *Trend) Count() int64 { return t.count }

// Stat returns avg, min, max, med, count or p(N) in micro-units; 0 when empty.
func (t *Trend) Stat(method string, p float64) float64 {
	if t.count == 0 {
		return 0
	}
	switch method {
	case "avg":
		return t.sum / float64(t.count)
	case "min":
		return t.min
	case "max":
		return t.max
	case "count":
		return float64(t.count)
	case "med":
		p = 50
	}
	return t.Percentile(p)
}

// Percentile returns the value at p (0..100), clamped to the exact min/max.
func (t *Trend) Percentile(p float64) float64 {
	if t.count == 0 {
		return 0
	}
	v := float64(t.h.ValueAtQuantile(p))
	return math.Max(t.min, math.Min(t.max, v))
}
