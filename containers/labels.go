package containers

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

// RunID is unique per process: its PID and start time (CleanStale reads the PID back).
var RunID = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().Unix())

// LabelStack marks a stack started by `perfstack up`, so `perfstack down` finds it from another process.
const LabelStack = "io.challenge-perf.stack"

// ExtraLabels are added to every resource this process creates (set before starting anything).
var ExtraLabels = map[string]string{}

// Labels returns the labels every project resource carries.
func Labels() map[string]string {
	l := map[string]string{LabelProject: "challenge-perf", LabelRun: RunID}
	for k, v := range ExtraLabels {
		l[k] = v
	}
	return l
}

// WithProjectLabels labels a container as this project's.
func WithProjectLabels() testcontainers.CustomizeRequestOption {
	return testcontainers.WithLabels(Labels())
}
