package containers

import (
	"context"
	"fmt"
	"net"

	"github.com/testcontainers/testcontainers-go"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"
)

// RedisContainer is testcontainers' Redis module container with this project's defaults.
type RedisContainer struct {
	*tcredis.RedisContainer
}

// RedisCommand runs Redis without persistence (de-duplication keys are a cache with a TTL) and
// reachable from the container network (protected mode would refuse non-loopback clients).
func RedisCommand() []string {
	return []string{"redis-server", "--bind", "0.0.0.0", "--port", "6379", "--protected-mode", "no", "--save", "", "--appendonly", "no"}
}

// RunRedis starts Redis 7 (PERF_REDIS_IMAGE or the local build).
func RunRedis(ctx context.Context, opts ...testcontainers.ContainerCustomizer) (*RedisContainer, error) {
	imgs, err := EnsureImages(ctx, ImageRedis)
	if err != nil {
		return nil, err
	}
	all := append([]testcontainers.ContainerCustomizer{
		testcontainers.WithCmd(RedisCommand()...),
		WithProjectLabels(),
	}, opts...)
	c, err := tcredis.Run(ctx, imgs[ImageRedis], all...)
	if err != nil {
		if c != nil {
			_ = c.Terminate(context.WithoutCancel(ctx))
		}
		return nil, fmt.Errorf("redis: %w", err)
	}
	return &RedisContainer{c}, nil
}

// Addr is host:port of the mapped Redis port, for go-redis' Options.Addr.
func (c *RedisContainer) Addr(ctx context.Context) (string, error) {
	host, err := c.Host(ctx)
	if err != nil {
		return "", err
	}
	port, err := c.MappedPort(ctx, "6379/tcp")
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(host, port.Port()), nil
}
