package api

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Concurrent first calls of one player: exactly one answers the new assignments, every call the
// same assignedAt, and the player is one row (real PostgreSQL through the public API).
func TestIntegrationInitializeExactlyOnce(t *testing.T) {
	a := startLive(t, sharedDSN(t))
	tok := token(t, "user-init", "test", time.Hour)
	const calls = 8
	var (
		wg     sync.WaitGroup
		codes  [calls]int
		bodies [calls]map[string]any
	)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], bodies[i] = a.call(t, "POST", "/challenge/v1/challenges/initialize", tok)
		}()
	}
	wg.Wait()
	first, times := 0, map[string]bool{}
	for i, body := range bodies {
		require.Equal(t, 200, codes[i], "%v", body)
		times[body["assignedGoals"].([]any)[0].(map[string]any)["assignedAt"].(string)] = true
		if n := body["newAssignments"].(float64); n == 500 {
			first++
		} else {
			require.Zero(t, n)
		}
	}
	require.Equal(t, 1, first, "exactly one first call")
	require.Len(t, times, 1, "one assignedAt for every call")
	var rows int
	require.NoError(t, a.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM player_initializations WHERE user_id = 'user-init'`).Scan(&rows))
	require.Equal(t, 1, rows)
}
