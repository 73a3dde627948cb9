package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/envconf"
)

func TestTimeoutsReachEveryConnection(t *testing.T) {
	c := ConfigFromEnv(envconf.FromMap(nil), Timeouts{Statement: 5 * time.Second, Lock: 2 * time.Second})
	require.NoError(t, c.Check())
	pc, err := c.poolConfig()
	require.NoError(t, err)
	require.Equal(t, "5000", pc.ConnConfig.RuntimeParams["statement_timeout"])
	require.Equal(t, "2000", pc.ConnConfig.RuntimeParams["lock_timeout"])
	require.Equal(t, ConnectTimeout, pc.ConnConfig.ConnectTimeout, "connect_timeout in the DSN")
	require.Contains(t, c.DSN(), "connect_timeout=5")

	c = ConfigFromEnv(envconf.FromMap(map[string]string{"DB_STATEMENT_TIMEOUT": "3s"}), Timeouts{Statement: 5 * time.Second, Lock: 2 * time.Second})
	require.Equal(t, 1500*time.Millisecond, c.LockTimeout, "at most half the statement timeout unless set")
	require.NoError(t, c.Check())

	c = ConfigFromEnv(envconf.FromMap(map[string]string{"DB_STATEMENT_TIMEOUT": "750ms", "DB_LOCK_TIMEOUT": "100ms"}), Timeouts{})
	require.Equal(t, []time.Duration{750 * time.Millisecond, 100 * time.Millisecond}, []time.Duration{c.StatementTimeout, c.LockTimeout})

	pc, err = Config{Host: "db", Port: 5432, SSLMode: "disable"}.poolConfig()
	require.NoError(t, err)
	require.NotContains(t, pc.ConnConfig.RuntimeParams, "lock_timeout", "0: the server's own setting")
}

func TestBadTimeoutsAreRefused(t *testing.T) {
	r := envconf.FromMap(map[string]string{"DB_STATEMENT_TIMEOUT": "0s", "DB_LOCK_TIMEOUT": "soon"})
	ConfigFromEnv(r, Timeouts{Statement: time.Second, Lock: time.Millisecond})
	require.ErrorContains(t, r.Err(), `DB_STATEMENT_TIMEOUT="0s"`)
	require.ErrorContains(t, r.Err(), `DB_LOCK_TIMEOUT="soon"`)

	require.ErrorContains(t, Config{StatementTimeout: time.Second, LockTimeout: time.Second}.Check(),
		"DB_LOCK_TIMEOUT (1s) must be below DB_STATEMENT_TIMEOUT (1s)")
	require.ErrorContains(t, Config{StatementTimeout: 1000 * time.Hour}.Check(), "DB_STATEMENT_TIMEOUT=1000h0m0s: at most")
}
