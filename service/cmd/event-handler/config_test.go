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
