// Package containers builds this project's images locally (no registry is reachable on the machines
// it runs on) and starts PostgreSQL and Redis from them with testcontainers-go's own modules. Both
// halves of the repository use it: the service's integration tests and the perf harness.
package containers

import (
	"os"
	"sync"

	tclog "github.com/testcontainers/testcontainers-go/log"
)

var setupOnce sync.Once

// Setup sets the testcontainers defaults these machines need, unless the user set them, before the
// library reads them at its first call:
//   - ryuk's image cannot be pulled here, so the reaper is off and cleanup goes by our labels;
//   - without the host override testcontainers dials a non-loopback address on these machines
//     and every wait strategy times out;
//   - testcontainers logs every container start and stop; PERF_DOCKER_LOG=true keeps that log.
//
// Commands and TestMain call it first; Docker (the door to every container operation here) calls
// it too, so forgetting it cannot hang a run. Importing the package changes nothing.
func Setup() {
	setupOnce.Do(func() {
		setDefault("TESTCONTAINERS_RYUK_DISABLED", "true")
		setDefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
		if os.Getenv("PERF_DOCKER_LOG") != "true" {
			tclog.SetDefault(tclog.NewNoopLogger())
		}
	})
}

func setDefault(key, val string) {
	if _, ok := os.LookupEnv(key); !ok {
		_ = os.Setenv(key, val)
	}
}
