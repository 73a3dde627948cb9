package harness_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/harness"
)

// Start the spec's environment — PostgreSQL, Redis, the challenge service and the event handler,
// each in a container with its CPU and memory limits — and print where to reach it. Images are built
// locally on first use; PERF_*_IMAGE variables choose others (StackConfigFromEnv reads them all).
// Not run by go test: it needs a Docker engine and a minute.
func ExampleStartStack() {
	containers.Setup() // testcontainers defaults these machines need, before anything else
	cfg, err := harness.StackConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	cfg.Service.CPUs = 0.5 // e.g. half a core for the service instead of the spec's one
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s, err := harness.StartStack(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Terminate(context.Background()) //nolint:errcheck // example
	fmt.Println("API:", s.Endpoints.APIURL)
	fmt.Println("events (gRPC):", s.Endpoints.GRPCAddr)
	fmt.Println("service metrics:", s.Endpoints.ServiceMetricsURL+"/metrics")
}
