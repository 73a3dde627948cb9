package harness

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// deadlineTarget records the deadline the wait strategy polls the container with.
type deadlineTarget struct {
	wait.StrategyTarget
	deadline time.Time
}

func (d *deadlineTarget) State(ctx context.Context) (*container.State, error) {
	d.deadline, _ = ctx.Deadline()
	return nil, errors.New("No such container") // ends the exit wait at once
}

// A level of two minutes or more must not be cut at testcontainers' default 60 s wait deadline.
func TestExitWaitLastsTheWholeRun(t *testing.T) {
	req := testcontainers.GenericContainerRequest{}
	require.NoError(t, exitWait(10*time.Minute).Customize(&req))
	target := &deadlineTarget{}
	start := time.Now()
	require.NoError(t, req.WaitingFor.WaitUntilReady(context.Background(), target))
	require.False(t, target.deadline.IsZero(), "the wait has no deadline")
	require.WithinDuration(t, start.Add(10*time.Minute), target.deadline, 5*time.Second)
}
