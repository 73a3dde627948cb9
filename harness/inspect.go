package harness

import (
	"context"
	"errors"
	"fmt"

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

// ResolveContainers checks that every named container (role → name or id) runs on this engine and
// returns role → id, for targets outside the stack whose containers share the engine
// (PERF_TARGET_CONTAINERS): their CPU and memory are then measured like the stack's.
func ResolveContainers(ctx context.Context, named map[string]string) (map[string]string, error) {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var errs []error
	for role, name := range named {
		res, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%s: %w", role, name, err))
			continue
		}
		if res.Container.State == nil || !res.Container.State.Running {
			errs = append(errs, fmt.Errorf("%s=%s: the container is not running", role, name))
			continue
		}
		out[role] = res.Container.ID
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("PERF_TARGET_CONTAINERS: %w", errors.Join(errs...))
	}
	return out, nil
}
