// Command loadgen runs a load plan (k6-style options JSON) with the engine of
// package loadgen and the challenge service's workloads (package
// loadgen/challenge), and writes summary.json, timeseries.ndjson and the
// workloads' artifacts (ground_truth.json for event runs) into --out.
//
//	loadgen run --plan plan.json --out DIR [--quiet]
//	loadgen version
//
// Exit codes: 0 ok, 99 a threshold failed, 2 invalid plan or usage,
// 1 other errors. The first SIGINT/SIGTERM stops scheduling and waits for
// in-flight iterations (gracefulStop); a second one interrupts them. The
// summary is written either way.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/challenge-perf/challenge-perf/loadgen"
	// The challenge service's workloads (apiLoad, eventLoad, e2eProbe), their plan fields and metrics.
	_ "github.com/challenge-perf/challenge-perf/loadgen/challenge"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: loadgen run --plan plan.json --out DIR | loadgen version")
		return 2
	}
	switch args[0] {
	case "version":
		fmt.Println("loadgen", loadgen.Version)
		return 0
	case "run":
	default:
		fmt.Fprintf(stderr, "loadgen: unknown command %q\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planPath := fs.String("plan", "", "plan JSON file")
	out := fs.String("out", "", "output directory")
	quiet := fs.Bool("quiet", false, "no per-second progress lines")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *planPath == "" || *out == "" {
		fmt.Fprintln(stderr, "loadgen run: --plan and --out are required")
		return 2
	}
	plan, err := loadgen.LoadPlan(*planPath)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 2
	}
	ctx, stop := context.WithCancel(context.Background())
	abort, abortNow := context.WithCancel(context.Background())
	defer stop()
	defer abortNow()
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(stderr, "loadgen: stopping (gracefulStop); signal again to interrupt in-flight iterations")
		stop()
		<-sig
		abortNow()
	}()
	opts := loadgen.RunOptions{Progress: stderr, Abort: abort, Log: stderr}
	if *quiet {
		opts.Progress = nil
	}
	res, err := loadgen.Run(ctx, plan, opts)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		var pe *loadgen.PlanError
		if errors.As(err, &pe) {
			return 2
		}
		return 1
	}
	if err := res.WriteDir(*out); err != nil {
		fmt.Fprintln(stderr, "loadgen: writing results:", err)
		return 1
	}
	if res.ThresholdsFailed {
		fmt.Fprintln(stderr, "loadgen: some thresholds failed")
	}
	if r := res.Summary.Loadgen; r.GeneratorLimited {
		fmt.Fprintln(stderr, "loadgen: WARNING generator_limited:", r.Reason)
	}
	return res.ExitCode()
}
