package harness

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/testcontainers/testcontainers-go/wait"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/challenge-perf/challenge-perf/targets"
)

// probe asks a program at addr (host:port of h.Port) once whether it is ready, by h's protocol:
// HTTP 200 on h.Path, or grpc.health.v1 SERVING (implementations whose ops port has no health route).
func probe(ctx context.Context, h targets.Health, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	switch h.Protocol {
	case targets.HealthGRPC:
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer conn.Close()
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return err
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("gRPC health %s", resp.GetStatus())
		}
		return nil
	default:
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+h.Path, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", h.Path, resp.Status)
		}
		return nil
	}
}

// healthWait is a testcontainers wait strategy for either protocol (the library has none for gRPC).
type healthWait struct {
	h       targets.Health
	timeout time.Duration
}

func (w healthWait) WaitUntilReady(ctx context.Context, c wait.StrategyTarget) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	var last error
	for {
		if st, err := c.State(ctx); err == nil && !st.Running {
			return fmt.Errorf("container exited (code %d) before it was healthy", st.ExitCode)
		}
		host, err := c.Host(ctx)
		if err == nil {
			var mp interface{ Port() string }
			if mp, err = c.MappedPort(ctx, w.h.Port); err == nil {
				if last = probe(ctx, w.h, host+":"+mp.Port()); last == nil {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not healthy (%s %s%s) within %s: %v", w.h.Protocol, w.h.Port, w.h.Path, w.timeout, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
