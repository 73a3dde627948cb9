package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// Files of a load run inside the load generator's container.
const (
	loadDir      = "/work"
	loadOutDir   = "/work/out"
	LoadPlanPath = "/work/plan.json"
	LoadUsers    = "/work/users.json"
	LoadTokens   = "/work/tokens.json"
)

// LoadOutputs are the files the load generator writes; missing optional ones are skipped.
var LoadOutputs = []string{"summary.json", "timeseries.ndjson", "ground_truth.json"}

// LoadSpec is one run of the load generator in its own container.
type LoadSpec struct {
	Plan    []byte            // plan JSON (targets must be reachable from the container)
	Files   map[string][]byte // extra input files by container path (users, tokens)
	Limits  runresult.Limits  // PERF_LOADGEN_CPUS / PERF_LOADGEN_MEMORY; zero = unlimited
	Network *testcontainers.DockerNetwork
	// HostNetwork runs the generator on the host network (external targets, PERF_TARGET_*).
	HostNetwork bool
	Timeout     time.Duration     // whole run, start-up included
	OutDir      string            // host directory receiving the output files
	Progress    func(line string) // each line the generator logs (progress every second)
}

// LoadResult is how the run ended.
type LoadResult struct {
	ExitCode int
	Duration time.Duration
	Files    []string // host paths of the copied outputs
	LogTail  string
}

// Exit codes of the load generator (k6's where k6 has one).
const (
	LoadExitOK              = 0
	LoadExitThresholdFailed = 99
)

// RunLoad runs the load generator to completion and copies its outputs to spec.OutDir.
func RunLoad(ctx context.Context, spec LoadSpec) (*LoadResult, error) {
	imgs, err := containers.EnsureImages(ctx, containers.ImageLoadgen)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(spec.OutDir, 0o755); err != nil {
		return nil, err
	}
	tail := &logTail{max: 400}
	consumer := lineConsumer{tail: tail, fn: spec.Progress}
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithCmd("run", "--plan", LoadPlanPath, "--out", loadOutDir),
		WithLimits(spec.Limits),
		containers.WithProjectLabels(),
		// Root in the container only so the generator can create its output directory in a
		// FROM scratch image (no shell, no writable directory otherwise).
		testcontainers.WithConfigModifier(func(c *container.Config) { c.User = "0:0" }),
		testcontainers.WithLogConsumers(consumer),
		exitWait(spec.Timeout),
		testcontainers.WithFiles(testcontainers.ContainerFile{
			Reader: strings.NewReader(string(spec.Plan)), ContainerFilePath: LoadPlanPath, FileMode: 0o644}),
	}
	for path, data := range spec.Files {
		opts = append(opts, testcontainers.WithFiles(testcontainers.ContainerFile{
			Reader: strings.NewReader(string(data)), ContainerFilePath: path, FileMode: 0o644}))
	}
	if spec.HostNetwork {
		opts = append(opts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) { hc.NetworkMode = "host" }))
	} else if spec.Network != nil {
		opts = append(opts, network.WithNetwork([]string{"loadgen"}, spec.Network))
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout+time.Minute)
	defer cancel()
	c, err := testcontainers.Run(ctx, imgs[containers.ImageLoadgen], opts...)
	if c != nil {
		defer c.Terminate(context.WithoutCancel(ctx)) //nolint:errcheck // best effort; the label sweep removes it
	}
	res := &LoadResult{Duration: time.Since(start), LogTail: tail.String()}
	if err != nil {
		return res, fmt.Errorf("load generator: %w\nlast log lines:\n%s", err, tail.String())
	}
	st, err := c.State(ctx)
	if err != nil {
		return res, err
	}
	res.ExitCode = st.ExitCode
	res.LogTail = tail.String()
	for _, name := range LoadOutputs {
		rc, err := c.CopyFileFromContainer(ctx, loadOutDir+"/"+name)
		if err != nil {
			continue // optional outputs (ground truth only for event runs)
		}
		dst := filepath.Join(spec.OutDir, name)
		err = copyToFile(dst, rc)
		rc.Close()
		if err != nil {
			return res, err
		}
		res.Files = append(res.Files, dst)
	}
	if len(res.Files) == 0 {
		return res, errors.New("load generator wrote no output (exit code " + fmt.Sprint(res.ExitCode) + ")\nlast log lines:\n" + res.LogTail)
	}
	return res, nil
}

// exitWait waits for the generator to exit. The deadline must be the run's: WithWaitStrategy's
// default 60 s deadline would cut every level of a minute or more short.
func exitWait(timeout time.Duration) testcontainers.CustomizeRequestOption {
	return testcontainers.WithWaitStrategyAndDeadline(timeout, wait.ForExit().WithExitTimeout(timeout))
}

func copyToFile(dst string, r io.Reader) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type lineConsumer struct {
	tail *logTail
	fn   func(string)
}

func (l lineConsumer) Accept(entry testcontainers.Log) {
	l.tail.Accept(entry)
	if l.fn == nil {
		return
	}
	for _, line := range strings.Split(strings.TrimRight(string(entry.Content), "\n"), "\n") {
		l.fn(line)
	}
}
