package challenge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

func eventPlan(extra string) string {
	return `{"scenarios":{"events":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"eventLoad"}},
		"target":{"grpcAddr":"127.0.0.1:1"}` + extra + `}`
}

// The plan keeps its shape: eventValues and statCodes stay top-level fields, owned by this package.
func TestPlanOptionsDefaultsAndOverrides(t *testing.T) {
	p, err := loadgen.ParsePlan([]byte(eventPlan("")))
	require.NoError(t, err)
	o, err := planOptions(p)
	require.NoError(t, err)
	assert.Equal(t, options{eventValues: ValuesMonotonic, statCodes: []string{"enemy_kills", "games_played", "headshots", "wins"}, namespace: "test"}, o)

	p, err = loadgen.ParsePlan([]byte(eventPlan(`,"eventValues":"random","statCodes":["wins"]`)))
	require.NoError(t, err)
	p.Target.Namespace = "ns"
	o, err = planOptions(p)
	require.NoError(t, err)
	assert.Equal(t, options{eventValues: ValuesRandom, statCodes: []string{"wins"}, namespace: "ns"}, o)
}

func TestPlanOptionsErrors(t *testing.T) {
	for extra, want := range map[string]string{
		`,"eventValues":"x"`:    `eventValues: must be "monotonic" or "random"`,
		`,"statCodes":"wins"`:   `statCodes: must be an array`,
		`,"statcodes":["wins"]`: `unknown field "statcodes"`,
	} {
		_, err := loadgen.ParsePlan([]byte(eventPlan(extra)))
		var pe *loadgen.PlanError
		require.ErrorAs(t, err, &pe, extra)
		assert.Contains(t, err.Error(), want)
	}
}
