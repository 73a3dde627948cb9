package harness

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/targets"
)

func TestStackConfigTargets(t *testing.T) {
	cfg, err := StackConfigFromEnv()
	require.NoError(t, err)
	require.Equal(t, targets.Ours, cfg.Target.Name, "ours by default")
	require.Equal(t, "bearer", cfg.AuthMode)

	t.Setenv("PERF_IMPL", targets.Reference)
	_, err = StackConfigFromEnv()
	require.ErrorContains(t, err, "PERF_SERVICE_IMAGE and PERF_HANDLER_IMAGE", "no local build of the reference")

	t.Setenv("PERF_SERVICE_IMAGE", "extend-challenge-service:local")
	t.Setenv("PERF_HANDLER_IMAGE", "extend-challenge-event-handler:local")
	cfg, err = StackConfigFromEnv()
	require.NoError(t, err)
	require.Equal(t, "mock-header", cfg.AuthMode, "auth off is the only mode it runs in here")
	require.Equal(t, targets.HealthGRPC, cfg.Target.Handler.Health.Protocol)

	t.Setenv("PERF_AUTH_MODE", "bearer")
	_, err = StackConfigFromEnv()
	require.ErrorContains(t, err, "must be mock-header")

	t.Setenv("PERF_IMPL", "other")
	_, err = StackConfigFromEnv()
	require.ErrorContains(t, err, `PERF_IMPL="other"`)
}
