package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProgressLogsEveryFifthProgressLine(t *testing.T) {
	var logged []string
	var started []time.Time
	p := &Progress{Logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) },
		Started: func(at time.Time) { started = append(started, at) }}
	before := time.Now()
	p.Line("loadgen: plan ok")
	for i := 1; i <= 11; i++ {
		p.Line(fmt.Sprintf("loadgen %4.1fs cpu=0.30 | api: 100/100 it/s (target 100)", float64(i)))
	}
	p.Line("loadgen: done")
	assert.Equal(t, []string{"  loadgen: loadgen: plan ok",
		"  loadgen: loadgen  1.0s cpu=0.30 | api: 100/100 it/s (target 100)",
		"  loadgen: loadgen  6.0s cpu=0.30 | api: 100/100 it/s (target 100)",
		"  loadgen: loadgen 11.0s cpu=0.30 | api: 100/100 it/s (target 100)",
		"  loadgen: loadgen: done"}, logged)
	if assert.Len(t, started, 1, "the first progress line only") {
		assert.WithinRange(t, started[0], before.Add(-time.Second), time.Now().Add(-time.Second))
	}
	never := false
	p.End(func() { never = true })
	assert.False(t, never, "it started")
}

func TestProgressEndWithoutAStart(t *testing.T) {
	p := &Progress{Logf: func(string, ...any) {}, Started: func(time.Time) { t.Error("no progress line came") }}
	p.Line("loadgen: plan: scenarios.api.rate: must be > 0")
	never := false
	p.End(func() { never = true })
	assert.True(t, never)
	p.Line("late 1.0s api: 1/1 it/s x") // after the end: no start any more
}
