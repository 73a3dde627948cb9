package loadgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func countUntil(t *testing.T, s *Scenario, bounds ...time.Duration) []int {
	t.Helper()
	require.NoError(t, s.validate())
	c := cursor{sc: newSchedule(s)}
	counts := make([]int, len(bounds))
	prev := time.Duration(-1)
	for n := 0.0; ; n++ {
		off, ok := c.at(n)
		if !ok {
			break
		}
		require.GreaterOrEqual(t, off, prev, "offsets must not decrease")
		prev = off
		for i, b := range bounds {
			if off < b {
				counts[i]++
				break
			}
		}
	}
	return counts
}

func TestScheduleConstant(t *testing.T) {
	s := &Scenario{name: "c", Executor: ExecutorConstant, Rate: 200, Duration: Duration(3 * time.Second), PreAllocatedVUs: 1, Exec: "httpGet"}
	assert.Equal(t, []int{600}, countUntil(t, s, 3*time.Second))
	s = &Scenario{name: "c", Executor: ExecutorConstant, Rate: 30, TimeUnit: Duration(time.Minute), Duration: Duration(10 * time.Second), PreAllocatedVUs: 1, Exec: "httpGet"}
	assert.Equal(t, []int{5}, countUntil(t, s, 10*time.Second))
}

func TestScheduleRampingStages(t *testing.T) {
	s := &Scenario{name: "r", Executor: ExecutorRamping, StartRate: 0, PreAllocatedVUs: 1, Exec: "httpGet", Stages: []Stage{
		{Target: 100, Duration: Duration(2 * time.Second)}, // 100
		{Target: 100, Duration: Duration(3 * time.Second)}, // 300
		{Target: 0, Duration: Duration(1 * time.Second)},   // 50
		{Target: 40, Duration: 0},                          // jump
		{Target: 40, Duration: Duration(1 * time.Second)},  // 40
	}}
	got := countUntil(t, s, 2*time.Second, 5*time.Second, 6*time.Second, 7*time.Second)
	want := []int{100, 300, 50, 40}
	for i := range want {
		assert.InDelta(t, want[i], got[i], 1, "stage %d", i)
	}
	sc := newSchedule(s)
	assert.InDelta(t, 490, sc.expected(7*time.Second), 1e-6)
	assert.InDelta(t, 50, sc.rateAt(time.Second), 1e-6)
}
