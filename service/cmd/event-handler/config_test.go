package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/envconf"
)

func TestConfigDatabaseTimeoutsAndGRPCLimits(t *testing.T) {
	c, err := loadConfig(envconf.FromMap(nil))
	require.NoError(t, err)
	require.Equal(t, 10*time.Second, c.DB.StatementTimeout, "below COMMIT_TIMEOUT")
	require.Equal(t, 5*time.Second, c.DB.LockTimeout)
	require.Less(t, c.DB.StatementTimeout, c.CommitTimeout)
	require.Equal(t, []int{1000, 64 << 10, 100}, []int{c.MaxStreams, c.MaxRecvBytes, c.MaxConns})
	require.Equal(t, []time.Duration{5 * time.Minute, time.Minute, 20 * time.Second, 10 * time.Second},
		[]time.Duration{c.MaxConnIdle, c.KeepaliveTime, c.KeepaliveTimeout, c.KeepaliveMinTime})
	require.False(t, c.Reflection)

	c, err = loadConfig(envconf.FromMap(map[string]string{"DB_LOCK_TIMEOUT": "1s", "GRPC_MAX_RECV_MSG_BYTES": "4096",
		"GRPC_MAX_CONNECTION_IDLE": "0s", "GRPC_REFLECTION": "true"}))
	require.NoError(t, err)
	require.Equal(t, time.Second, c.DB.LockTimeout)
	require.Equal(t, 4096, c.MaxRecvBytes)
	require.Zero(t, c.MaxConnIdle, "0: idle connections are kept")
	require.True(t, c.Reflection)

	for env, want := range map[string]string{
		"DB_LOCK_TIMEOUT=10s":          "DB_LOCK_TIMEOUT (10s) must be below DB_STATEMENT_TIMEOUT (10s)",
		"DB_LOCK_TIMEOUT=0s":           `DB_LOCK_TIMEOUT="0s"`,
		"DB_STATEMENT_TIMEOUT=never":   `DB_STATEMENT_TIMEOUT="never"`,
		"GRPC_MAX_RECV_MSG_BYTES=10":   `GRPC_MAX_RECV_MSG_BYTES="10": want an integer in [1024, 67108864]`,
		"GRPC_MAX_CONNECTIONS=0":       `GRPC_MAX_CONNECTIONS="0"`,
		"GRPC_KEEPALIVE_TIME=100ms":    `GRPC_KEEPALIVE_TIME="100ms"`,
		"GRPC_KEEPALIVE_TIMEOUT=0s":    `GRPC_KEEPALIVE_TIMEOUT="0s"`,
		"GRPC_KEEPALIVE_MIN_TIME=x":    `GRPC_KEEPALIVE_MIN_TIME="x"`,
		"GRPC_MAX_CONNECTION_IDLE=-1s": `GRPC_MAX_CONNECTION_IDLE="-1s"`,
		"GRPC_REFLECTION=maybe":        `GRPC_REFLECTION="maybe"`,
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := loadConfig(envconf.FromMap(map[string]string{k: v}))
		require.ErrorContains(t, err, want, env)
	}
}

// Issue 23, item 8: durable mode's batch window is COMMIT_WINDOW; BUFFER_FLUSH_INTERVAL is buffered
// mode's flush period only, and durable mode no longer reads it as its window.
func TestCommitWindowIsDurableModesOwnSetting(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		want   time.Duration
		warned string // substring of the one warning expected; "" for none
	}{
		{"durable default", nil, 2 * time.Millisecond, ""},
		{"durable COMMIT_WINDOW", map[string]string{"COMMIT_WINDOW": "5ms"}, 5 * time.Millisecond, ""},
		{"durable ignores BUFFER_FLUSH_INTERVAL set alone, and says so", map[string]string{"BUFFER_FLUSH_INTERVAL": "1s"},
			2 * time.Millisecond, "BUFFER_FLUSH_INTERVAL=1s no longer sets durable mode's batch window"},
		{"durable with both (the perf stack, for older images)", map[string]string{"COMMIT_WINDOW": "3ms", "BUFFER_FLUSH_INTERVAL": "3ms"},
			3 * time.Millisecond, ""},
		{"buffered default: the spec's 1 s", map[string]string{"ACK_MODE": ackBuffered}, time.Second, ""},
		{"buffered BUFFER_FLUSH_INTERVAL", map[string]string{"ACK_MODE": ackBuffered, "BUFFER_FLUSH_INTERVAL": "200ms"}, 200 * time.Millisecond, ""},
		{"buffered ignores COMMIT_WINDOW", map[string]string{"ACK_MODE": ackBuffered, "COMMIT_WINDOW": "5ms"},
			time.Second, "COMMIT_WINDOW is durable mode's batch window and is ignored with ACK_MODE=buffered"},
		{"buffered takes a long flush period (not a window)", map[string]string{"ACK_MODE": ackBuffered, "BUFFER_FLUSH_INTERVAL": "5s"}, 5 * time.Second, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadConfig(envconf.FromMap(tc.env))
			require.NoError(t, err)
			require.Equal(t, tc.want, c.FlushInterval)
			if tc.warned == "" {
				require.Empty(t, c.warnings)
				return
			}
			require.Len(t, c.warnings, 1)
			require.Contains(t, c.warnings[0], tc.warned)
		})
	}
	c, err := loadConfig(envconf.FromMap(map[string]string{"BUFFER_FLUSH_INTERVAL": "1s"}))
	require.NoError(t, err)
	require.Contains(t, c.warnings[0], "set COMMIT_WINDOW instead", "the warning names the new setting")
	require.Equal(t, "commit_window", c.periodKey())
}

// A window above 50 ms would dominate every durable acknowledgement's latency: refused unless
// COMMIT_WINDOW_ALLOW_LONG=true, which runs with it and warns.
func TestALongCommitWindowIsRefused(t *testing.T) {
	_, err := loadConfig(envconf.FromMap(map[string]string{"COMMIT_WINDOW": "51ms"}))
	require.ErrorContains(t, err, "COMMIT_WINDOW=51ms: above 50ms the batch window dominates")
	require.ErrorContains(t, err, "COMMIT_WINDOW_ALLOW_LONG=true")
	_, err = loadConfig(envconf.FromMap(map[string]string{"COMMIT_WINDOW": "1s", "COMMIT_WINDOW_ALLOW_LONG": "false"}))
	require.ErrorContains(t, err, "COMMIT_WINDOW=1s")

	c, err := loadConfig(envconf.FromMap(map[string]string{"COMMIT_WINDOW": "50ms"}))
	require.NoError(t, err, "50 ms is the longest accepted as it is")
	require.Equal(t, 50*time.Millisecond, c.FlushInterval)
	require.Empty(t, c.warnings)

	c, err = loadConfig(envconf.FromMap(map[string]string{"COMMIT_WINDOW": "1h", "COMMIT_WINDOW_ALLOW_LONG": "true"}))
	require.NoError(t, err)
	require.Equal(t, time.Hour, c.FlushInterval)
	require.Len(t, c.warnings, 1)
	require.Contains(t, c.warnings[0], "COMMIT_WINDOW=1h0m0s (COMMIT_WINDOW_ALLOW_LONG=true)")

	// Buffered mode never reads COMMIT_WINDOW, so a long one there is no reason to refuse.
	_, err = loadConfig(envconf.FromMap(map[string]string{"ACK_MODE": ackBuffered, "COMMIT_WINDOW": "1s"}))
	require.NoError(t, err)

	for env, want := range map[string]string{
		"COMMIT_WINDOW=0s":              `COMMIT_WINDOW="0s"`,
		"COMMIT_WINDOW=soon":            `COMMIT_WINDOW="soon"`,
		"COMMIT_WINDOW_ALLOW_LONG=much": `COMMIT_WINDOW_ALLOW_LONG="much"`,
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := loadConfig(envconf.FromMap(map[string]string{k: v}))
		require.ErrorContains(t, err, want, env)
	}
}
