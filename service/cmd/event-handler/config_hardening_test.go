package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/envconf"
)

func TestHardeningSettings(t *testing.T) {
	c, err := loadConfig(envconf.FromMap(map[string]string{}))
	require.NoError(t, err)
	require.Equal(t, 5*time.Minute, c.MaxFutureSkew)
	require.Equal(t, "", c.TLSCert)
	require.Equal(t, "", c.OpsDebugToken)

	c, err = loadConfig(envconf.FromMap(map[string]string{"EVENT_MAX_FUTURE_SKEW": "30s", "OPS_DEBUG_TOKEN": "t"}))
	require.NoError(t, err)
	require.Equal(t, 30*time.Second, c.MaxFutureSkew)
	require.Equal(t, "t", c.OpsDebugToken)

	_, err = loadConfig(envconf.FromMap(map[string]string{"GRPC_TLS_CERT_PATH": "/c.pem"}))
	require.ErrorContains(t, err, "set both or neither")
}
