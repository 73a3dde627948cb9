package containers

import (
	"context"
	"fmt"
	"sync"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

var (
	dockerOnce sync.Once
	dockerCli  *client.Client
	dockerErr  error
)

// Docker returns a shared Docker API client, with a clear error when no engine answers.
func Docker(ctx context.Context) (*client.Client, error) {
	Setup()
	dockerOnce.Do(func() {
		c, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err != nil {
			dockerErr = fmt.Errorf("no Docker engine answers (%w); run scripts/ensure-docker.sh, or `make test`, which starts one", err)
			return
		}
		dockerCli = c.Client
	})
	return dockerCli, dockerErr
}
