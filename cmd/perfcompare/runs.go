package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/challenge-perf/challenge-perf/abtest"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// side is what one run of a side needs: the images its programs run from.
type side struct {
	name   string            // base | head
	images map[string]string // image env variable → image
}

// suite runs the compiled perf scenarios.
type suite struct {
	bin, dir string // the test binary and its working directory (the head tree's perf/)
	pattern  string // -test.run
	timeout  time.Duration
	env      []string // shared by both sides: the images of the other containers, the empty baseline
}

// runEnv is one run's environment: the process's, the shared settings, the side's images and
// the run's results directory (later entries win).
func runEnv(base, shared []string, s side, resultsDir string) []string {
	env := append(append([]string{}, base...), shared...)
	for k, v := range s.images {
		env = append(env, k+"="+v)
	}
	return append(env, "PERF_RESULTS_DIR="+resultsDir)
}

// runOne runs the suite once with its output in dir/test.log; the exit code is the suite's (a
// failed level is not a broken run: what it wrote is compared).
func (st suite) runOne(ctx context.Context, s side, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	log, err := os.Create(filepath.Join(dir, "test.log"))
	if err != nil {
		return 0, err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, st.bin, "-test.run", st.pattern, "-test.count=1", "-test.v",
		"-test.timeout", st.timeout.String())
	cmd.Dir = st.dir
	cmd.Env = runEnv(os.Environ(), st.env, s, dir)
	cmd.Stdout, cmd.Stderr = log, log
	// An interrupt reaches the suite as SIGINT, with time to stop its containers.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = time.Minute
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// progress prints one line per run to w: which of how many, the side, the time so far and an
// estimate of the rest.
type progress struct {
	w     io.Writer
	total int
	start time.Time
	done  int
	spent time.Duration
}

func (p *progress) begin(label string, s side) {
	fmt.Fprintf(p.w, "perfcompare: run %d/%d: %s (%s) started, %s elapsed%s\n", p.done+1, p.total, label, s.name,
		time.Since(p.start).Round(time.Second), p.eta())
}

func (p *progress) end(label string, took time.Duration, exit int, missing []string) {
	p.done++
	p.spent += took
	status := "ok"
	if exit != 0 {
		status = fmt.Sprintf("suite exit %d (failed levels are compared as measured)", exit)
	}
	if len(missing) > 0 {
		status += "; no result.json for " + strings.Join(missing, ", ")
	}
	fmt.Fprintf(p.w, "perfcompare: run %d/%d: %s done in %s: %s\n", p.done, p.total, label, took.Round(time.Second), status)
}

func (p *progress) eta() string {
	if p.done == 0 {
		return ""
	}
	left := time.Duration(int64(p.spent) / int64(p.done) * int64(p.total-p.done))
	return fmt.Sprintf(", about %s left", left.Round(time.Second))
}

// interleave runs A B A B … and loads each run's results.
func interleave(ctx context.Context, st suite, out string, pairs int, base, head side, scenarios []string, w io.Writer) (a, b []abtest.Run, records []abtest.RunRecord, err error) {
	p := &progress{w: w, total: 2 * pairs, start: time.Now()}
	for _, label := range order(pairs) {
		s, runs := base, &a
		if label[0] == 'B' {
			s, runs = head, &b
		}
		dir, err := filepath.Abs(filepath.Join(out, label))
		if err != nil {
			return nil, nil, nil, err
		}
		p.begin(label, s)
		t0 := time.Now()
		exit, err := st.runOne(ctx, s, dir)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("run %s: %w (log: %s)", label, err, filepath.Join(dir, "test.log"))
		}
		run, err := abtest.LoadRun(label, dir, scenarios)
		if err != nil {
			return nil, nil, nil, err
		}
		var missing []string
		for _, name := range scenarios {
			if _, ok := run.Scenarios[name]; !ok {
				missing = append(missing, name)
			}
		}
		took := time.Since(t0)
		p.end(label, took, exit, missing)
		if exit != 0 || len(missing) > 0 {
			fmt.Fprintf(w, "perfcompare: %s's log ends:\n%s\n", label, tail(filepath.Join(dir, "test.log"), 15))
		}
		*runs = append(*runs, run)
		records = append(records, abtest.RunRecord{Label: label, Side: s.name, Dir: dir, Seconds: took.Seconds(), ExitCode: exit, Missing: missing})
	}
	return a, b, records, nil
}

// tail is the last n lines of a file, for a failed run's context.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// emptyBaseline writes a baseline with no entries: the A/B runs are measured, not gated against
// the stored figures (which would also re-run a level that misses them, changing what is compared).
func emptyBaseline(out string) (string, error) {
	path, err := filepath.Abs(filepath.Join(out, "no-baseline.json"))
	if err != nil {
		return "", err
	}
	return path, runresult.Baseline{}.Write(path)
}
