package harness

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/targets"
)

// The generator's container reaches the programs at the ports each profile names; for the built-in
// profiles these are the addresses the stack has always given it.
func TestInternalAddressesComeFromTheProfile(t *testing.T) {
	for _, name := range []string{targets.Ours, targets.Reference} {
		tg, err := targets.Lookup(name)
		require.NoError(t, err)
		api, grpc := internalAddrs(tg, "/challenge")
		require.Equal(t, "http://challenge-service:8000/challenge", api, name)
		require.Equal(t, "event-handler:6565", grpc, name)
	}
	tg, _ := targets.Lookup(targets.Ours)
	tg.Service.APIPort, tg.Handler.GRPCPort = "9000/tcp", "50051/tcp"
	api, grpc := internalAddrs(tg, "")
	require.Equal(t, "http://challenge-service:9000", api)
	require.Equal(t, "event-handler:50051", grpc)
}

// A profile whose ports the stack cannot use is refused before any image is built or container run.
func TestStartStackRefusesAProfileWithoutPorts(t *testing.T) {
	_, err := StartStack(context.Background(), StackConfig{ChallengesJSON: []byte("{}"), Target: targets.Unknown()})
	require.ErrorContains(t, err, "names no APIPort")
}

func TestNoOpsPortNoMetricsURL(t *testing.T) {
	u, err := opsURL(context.Background(), nil, targets.Program{})
	require.NoError(t, err)
	require.Empty(t, u)
}
