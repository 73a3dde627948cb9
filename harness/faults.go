package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/challenge-perf/challenge-perf/containers"
)

// Faults the suite injects into a running container, as an operator or the kernel would: kill -9,
// a freeze (docker pause: the process gets no CPU, its sockets stay open) and a restart. Each keeps
// the container (same network alias); host-side mapped ports may change across Kill+Start or
// Restart, so callers resolve addresses again afterwards.

// Kill sends SIGKILL: no shutdown code runs.
func Kill(ctx context.Context, c testcontainers.Container) error {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return err
	}
	if _, err := cli.ContainerKill(ctx, c.GetContainerID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return fmt.Errorf("kill -9 %s: %w", c.GetContainerID()[:12], err)
	}
	return nil
}

// StartAgain starts a killed or stopped container again (its wait strategy is not re-run: callers
// wait for the program's own readiness).
func StartAgain(ctx context.Context, c testcontainers.Container) error {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return err
	}
	if _, err := cli.ContainerStart(ctx, c.GetContainerID(), client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("start %s: %w", c.GetContainerID()[:12], err)
	}
	return nil
}

// WaitHealthy polls the program's health check (the start-up wait strategy's, by its protocol)
// until it answers, for programs started again after a fault.
func (p *ProgramContainer) WaitHealthy(ctx context.Context, within time.Duration) error {
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		var addr string
		if addr, last = p.Addr(ctx, p.health.Port); last == nil {
			if last = probe(ctx, p.health, addr); last == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s not healthy (%s %s%s) %s after its start: %v", p.Role, p.health.Protocol, p.health.Port, p.health.Path, within, last)
}

// Freeze pauses every process of the container for d, then resumes them (unless ctx ended first:
// then it still resumes, so a test never leaves a frozen container behind).
func Freeze(ctx context.Context, c testcontainers.Container, d time.Duration) error {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return err
	}
	id := c.GetContainerID()
	if _, err := cli.ContainerPause(ctx, id, client.ContainerPauseOptions{}); err != nil {
		return fmt.Errorf("pause %s: %w", id[:12], err)
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	if _, err := cli.ContainerUnpause(context.WithoutCancel(ctx), id, client.ContainerUnpauseOptions{}); err != nil {
		return fmt.Errorf("unpause %s: %w", id[:12], err)
	}
	return nil
}

// Restart stops the container, with SIGKILL after grace (0: at once), and starts it again.
func Restart(ctx context.Context, c testcontainers.Container, grace time.Duration) error {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return err
	}
	secs := int(grace.Seconds())
	if _, err := cli.ContainerRestart(ctx, c.GetContainerID(), client.ContainerRestartOptions{Timeout: &secs}); err != nil {
		return fmt.Errorf("restart %s: %w", c.GetContainerID()[:12], err)
	}
	return nil
}
