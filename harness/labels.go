package harness

import (
	"fmt"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// LabelProject marks every container and network this project creates, so Clean can find
// leftovers of interrupted runs (there is no ryuk to reap them).
const LabelProject = "io.challenge-perf.project"

// LabelRun identifies one process's resources.
const LabelRun = "io.challenge-perf.run"

// RunID is unique per process: the host name's PID and start time.
var RunID = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().Unix())

// Labels returns the labels every project resource carries.
func Labels() map[string]string {
	return map[string]string{LabelProject: "challenge-perf", LabelRun: RunID}
}

// WithProjectLabels labels a container as this project's.
func WithProjectLabels() testcontainers.CustomizeRequestOption {
	return testcontainers.WithLabels(Labels())
}
