package groupcommit

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// A login and a stat update carrying the same event id are both applied, in one batch or across
// batches: applied_events holds login ids only (stats need no record), so the two protocols' ids
// never meet there. Guards that design against a change that would record every id in one space.
func TestLoginAndStatWithTheSameIDAreBothApplied(t *testing.T) {
	pool := testPool(t, 0)
	a := NewPGApplier(pool)
	ctx := context.Background()
	res, err := a.Apply(ctx, []Event{login("same", "u1"), stat("same", "u1", "wins", 3, t0)})
	require.NoError(t, err)
	require.Equal(t, 0, res.Duplicates)
	v, _ := statValue(t, pool, "u1", challenges.LoginStatKey)
	require.Equal(t, 1.0, v)
	v, _ = statValue(t, pool, "u1", "wins")
	require.Equal(t, 3.0, v)

	res, err = a.Apply(ctx, []Event{stat("again", "u2", "wins", 2, t0)})
	require.NoError(t, err)
	res, err = a.Apply(ctx, []Event{login("again", "u2")})
	require.NoError(t, err)
	require.Equal(t, 0, res.Duplicates, "a stat's id does not make a later login a duplicate")
	v, _ = statValue(t, pool, "u2", challenges.LoginStatKey)
	require.Equal(t, 1.0, v)
}
