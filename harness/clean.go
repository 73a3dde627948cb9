package harness

import (
	"context"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// Clean removes every container and network carrying the project label (all runs when run is
// empty, else that run's). It is the stand-in for ryuk, which cannot be pulled here.
func Clean(ctx context.Context, run string) (containers, networks int, err error) {
	return CleanLabel(ctx, runFilter(run))
}

// Leftovers counts the project's containers and networks of a run (all runs when run is empty).
func Leftovers(ctx context.Context, run string) (containers, networks int, err error) {
	return CountLabel(ctx, runFilter(run))
}

func runFilter(run string) string {
	if run == "" {
		return LabelProject
	}
	return LabelRun + "=" + run
}

// CleanLabel removes the containers and networks matching a label filter ("key" or "key=value").
func CleanLabel(ctx context.Context, label string) (containers, networks int, err error) {
	cli, cs, ns, err := listByLabel(ctx, label)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range cs {
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			return containers, 0, fmt.Errorf("remove container %s: %w", c.ID[:12], err)
		}
		containers++
	}
	for _, n := range ns {
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
			return containers, networks, fmt.Errorf("remove network %s: %w", n.Name, err)
		}
		networks++
	}
	return containers, networks, nil
}

// CountLabel counts the containers and networks matching a label filter.
func CountLabel(ctx context.Context, label string) (containers, networks int, err error) {
	_, cs, ns, err := listByLabel(ctx, label)
	return len(cs), len(ns), err
}

func listByLabel(ctx context.Context, label string) (*client.Client, []container.Summary, []network.Summary, error) {
	cli, err := Docker(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	f := client.Filters{}
	f.Add("label", label)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("list containers: %w", err)
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("list networks: %w", err)
	}
	return cli, cs.Items, ns.Items, nil
}
