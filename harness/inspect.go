package harness

import (
	"context"

	"github.com/moby/moby/client"
)

// InspectLimits reads a container's CPU and memory limits back from the engine.
func InspectLimits(ctx context.Context, id string) (Limits, error) {
	cli, err := Docker(ctx)
	if err != nil {
		return Limits{}, err
	}
	res, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return Limits{}, err
	}
	hc := res.Container.HostConfig
	return Limits{CPUs: float64(hc.NanoCPUs) / 1e9, MemoryBytes: hc.Memory}, nil
}
