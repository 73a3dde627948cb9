package containers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

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

// CleanStale removes the resources of runs whose process is gone (interrupted runs on this host),
// leaving alone live runs of other processes and stacks started by `perfstack up`.
func CleanStale(ctx context.Context) (containers, networks int, err error) {
	_, cs, ns, err := listByLabel(ctx, LabelProject)
	if err != nil {
		return 0, 0, err
	}
	stale := map[string]bool{}
	consider := func(labels map[string]string) {
		run := labels[LabelRun]
		if run == "" || labels[LabelStack] != "" || run == RunID {
			return
		}
		if _, seen := stale[run]; !seen {
			stale[run] = !processAlive(run)
		}
	}
	for _, c := range cs {
		consider(c.Labels)
	}
	for _, n := range ns {
		consider(n.Labels)
	}
	for run, dead := range stale {
		if !dead {
			continue
		}
		c, n, err := Clean(ctx, run)
		containers, networks = containers+c, networks+n
		if err != nil {
			return containers, networks, err
		}
	}
	return containers, networks, nil
}

// processAlive reads the PID out of a run id ("PID-UNIXTIME") and asks the kernel about it.
func processAlive(run string) bool {
	pidStr, _, ok := strings.Cut(run, "-")
	pid, err := strconv.Atoi(pidStr)
	if !ok || err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
