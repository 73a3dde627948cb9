// Package harness starts the system under test and its dependencies as containers with CPU and
// memory limits, in the shape of testcontainers-go modules: Run(ctx, opts...) returning typed
// containers with helpers. It also builds the project's images locally, since no registry is
// reachable on the machines this project runs on.
package harness

import (
	"os"

	tclog "github.com/testcontainers/testcontainers-go/log"
)

// testcontainers-go reads these once, at its first call; setting them here (package init runs
// before any test or command code) makes every user of the harness safe by default:
//   - ryuk's image cannot be pulled here, so the reaper is off and cleanup goes by our labels;
//   - without the host override testcontainers dials a non-loopback address on these machines
//     and every wait strategy times out.
func init() {
	setDefault("TESTCONTAINERS_RYUK_DISABLED", "true")
	setDefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	// testcontainers logs every container start and stop; the suite reports what matters itself.
	// PERF_DOCKER_LOG=true brings the library's log back for debugging.
	if os.Getenv("PERF_DOCKER_LOG") != "true" {
		tclog.SetDefault(tclog.NewNoopLogger())
	}
}

func setDefault(key, val string) {
	if _, ok := os.LookupEnv(key); !ok {
		_ = os.Setenv(key, val)
	}
}
