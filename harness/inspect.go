package harness

import (
	"context"

	"github.com/moby/moby/client"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// InspectLimits reads a container's CPU and memory limits back from the engine.
func InspectLimits(ctx context.Context, id string) (runresult.Limits, error) {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return runresult.Limits{}, err
	}
	res, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return runresult.Limits{}, err
	}
	hc := res.Container.HostConfig
	return runresult.Limits{CPUs: float64(hc.NanoCPUs) / 1e9, MemoryBytes: hc.Memory}, nil
}
