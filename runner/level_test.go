package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/challenge-perf/challenge-perf/suite"
)

func TestLevelSpecString(t *testing.T) {
	for want, l := range map[string]LevelSpec{
		"200 RPS":                       {RPS: 200},
		"1000 EPS":                      {EPS: 1000},
		"100 RPS + 500 EPS":             {RPS: 100, EPS: 500},
		"200 EPS + 2 probes/s":          {EPS: 200, E2ERate: 2},
		"50 RPS + 100 EPS + 2 probes/s": {RPS: 50, EPS: 100, E2ERate: 2},
		"":                              {},
	} {
		assert.Equal(t, want, l.String())
	}
}

// The stepping changes a level's name, rates, pool and retry mark, and nothing else.
func TestLevelSpecWithLoadKeepsTheRest(t *testing.T) {
	f := &Fault{Name: "x"}
	l := LevelSpec{Name: "a", RPS: 1, EPS: 2, E2ERate: 3, APIGetOnly: true, Profiles: true, DBSampling: true, Redeliver: true,
		OrderProbes: true, Fault: f, NoIntegrity: true}
	got := l.WithLoad(suite.Load{Name: "b", RPS: 10, EPS: 20, HTTPPool: 64, Retry: true})
	want := l
	want.Name, want.RPS, want.EPS, want.HTTPPool, want.Retry = "b", 10, 20, 64, true
	assert.Equal(t, want, got)
	assert.Equal(t, suite.Load{Name: "b", RPS: 10, EPS: 20, HTTPPool: 64, Retry: true}, got.Load())
}

func TestLevelSpecDecisions(t *testing.T) {
	assert.True(t, LevelSpec{RPS: 1}.WantsSeed(true))
	assert.False(t, LevelSpec{RPS: 1}.WantsSeed(false))
	assert.False(t, LevelSpec{EPS: 1}.WantsSeed(true), "events only: no API state to make realistic")

	assert.True(t, LevelSpec{EPS: 1}.ChecksIntegrity())
	assert.True(t, LevelSpec{E2ERate: 0.5}.ChecksIntegrity())
	assert.False(t, LevelSpec{RPS: 1}.ChecksIntegrity(), "no event sent: nothing to check")
	assert.False(t, LevelSpec{EPS: 1, NoIntegrity: true}.ChecksIntegrity())

	assert.Equal(t, 503, LevelSpec{EPS: 500, E2ERate: 2.5}.EventsPerSecond())
	assert.Equal(t, 0, LevelSpec{RPS: 100}.EventsPerSecond())
}
