package loadgen

import (
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTrendAgainstExact(t *testing.T) {
	tr := newTrend()
	r := rand.New(rand.NewPCG(1, 2))
	var vals []float64
	for i := 0; i < 20000; i++ {
		v := 100 + r.ExpFloat64()*5000 // µs
		vals = append(vals, v)
		tr.Add(v)
	}
	sort.Float64s(vals)
	var sum float64
	for _, v := range vals {
		sum += v
	}
	assert.Equal(t, vals[0], tr.Stat("min", 0), "exact min")
	assert.Equal(t, vals[len(vals)-1], tr.Stat("max", 0), "exact max")
	assert.InDelta(t, sum/float64(len(vals)), tr.Stat("avg", 0), 1e-6)
	for _, p := range []float64{50, 90, 95, 99} {
		exact := vals[int(p/100*float64(len(vals)-1))]
		assert.InEpsilon(t, exact, tr.Percentile(p), 0.002, "p(%v)", p)
	}
	other := newTrend()
	other.Add(1)
	tr.Merge(other)
	assert.Equal(t, 1.0, tr.Stat("min", 0))
	tr.Reset()
	assert.Equal(t, 0.0, tr.Stat("p", 99))
	assert.Equal(t, int64(0), tr.Count())
}

func TestGeneratorLimitedHeuristic(t *testing.T) {
	busy := 10 * 0.97 * float64(min(runtime.GOMAXPROCS(0), runtime.NumCPU())) // CPU-seconds of a saturated generator over 10 s
	cases := []struct {
		name    string
		r       SelfReport
		reqP99  float64
		limited bool
	}{
		{"healthy", SelfReport{WallSeconds: 10, CPUSeconds: 5, LagP99Ms: 2}, 10, false},
		{"lag with idle cpu and slow target", SelfReport{WallSeconds: 10, CPUSeconds: 2, LagP99Ms: 80}, 500, false},
		{"lag while target fast", SelfReport{WallSeconds: 10, CPUSeconds: 2, LagP99Ms: 80}, 5, true},
		{"drops with cpu saturated", SelfReport{WallSeconds: 10, CPUSeconds: busy, DroppedFraction: 0.05}, 500, true},
		{"cpu saturated but no symptom", SelfReport{WallSeconds: 10, CPUSeconds: busy}, 5, false},
	}
	for _, c := range cases {
		r := c.r
		r.judge(c.reqP99, nil, nil)
		assert.Equal(t, c.limited, r.GeneratorLimited, "%s: %s", c.name, r.Reason)
	}
}
