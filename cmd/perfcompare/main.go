// Command perfcompare is the A/B performance comparison of two revisions on one machine, the
// per-PR gate that works on any runner: it builds both revisions' program images, runs the perf
// suite's scenarios for each, interleaved (A B A B …), and decides per metric with a one-sided
// exact Mann-Whitney U test and a minimum effect (package abtest, docs/AB_COMPARE.md).
//
//	perfcompare -base origin/main [-head worktree|REV] [-pairs 3] [-scenarios 1,2] [-out DIR]
//
// A = base, built in a temporary git worktree (removed afterwards); B = head, the working tree by
// default. The generator image and the suite binary are the head's and serve both sides, so the
// instrument is not part of the comparison.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/challenge-perf/challenge-perf/abtest"
	"github.com/challenge-perf/challenge-perf/containers"
)

// Exit codes.
const (
	exitOK         = 0
	exitRegression = 1
	exitSetup      = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr, time.Now())
	if errors.Is(err, flagHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "perfcompare: %v\n", err)
		return exitSetup
	}
	containers.Setup()
	rep, err := compare(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "perfcompare: %v\n", err)
		return exitSetup
	}
	if err := rep.WriteTable(stdout); err != nil {
		fmt.Fprintf(stderr, "perfcompare: %v\n", err)
		return exitSetup
	}
	fmt.Fprintf(stderr, "perfcompare: wrote %s\n", filepath.Join(o.out, abtest.ReportFile))
	if rep.Regression {
		return exitRegression
	}
	return exitOK
}

// compare does the work: resolve, build, run interleaved, decide, write compare.json.
func compare(ctx context.Context, o options, log io.Writer) (abtest.Report, error) {
	var rep abtest.Report
	start := time.Now()
	root, err := containers.ModuleRoot()
	if err != nil {
		return rep, err
	}
	baseSHA, err := resolve(root, o.base)
	if err != nil {
		return rep, err
	}
	rep.Base = abtest.Revision{Rev: o.base, SHA: baseSHA, Images: map[string]string{}}
	rep.Head = abtest.Revision{Rev: o.head, Images: map[string]string{}}
	headTree := source{dir: root, remove: func() error { return nil }}
	if o.head == Worktree {
		if rep.Head.SHA, err = resolve(root, "HEAD"); err != nil {
			return rep, err
		}
		if rep.Head.Dirty, err = dirty(root); err != nil {
			return rep, err
		}
	} else {
		if rep.Head.SHA, err = resolve(root, o.head); err != nil {
			return rep, err
		}
	}
	cli, err := containers.Docker(ctx)
	if err != nil {
		return rep, err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return rep, err
	}
	tmp, err := os.MkdirTemp("", "perfcompare-bin-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(tmp)

	if o.head != Worktree {
		fmt.Fprintf(log, "perfcompare: head %s = %s in a temporary worktree\n", o.head, rep.Head.SHA[:12])
		if headTree, err = checkout(root, rep.Head.SHA, "head"); err != nil {
			return rep, err
		}
		defer removeTree(headTree, log)
	}

	// The head's tree: its programs, the generator and the suite binary (the instrument).
	fmt.Fprintf(log, "perfcompare: building head (%s) programs, generator and suite\n", describeTree(rep.Head))
	headImages, err := buildSide(ctx, cli, headTree.dir, tmp, "head", rep.Head, append(sidePrograms, containers.ImageLoadgen))
	if err != nil {
		return rep, err
	}
	suiteBin := filepath.Join(tmp, "perf.test")
	if err := buildSuite(ctx, headTree.dir, suiteBin); err != nil {
		return rep, err
	}

	// The base's programs, from a worktree removed as soon as they are built.
	fmt.Fprintf(log, "perfcompare: building base %s = %s in a temporary worktree\n", o.base, baseSHA[:12])
	baseTree, err := checkout(root, baseSHA, "base")
	if err != nil {
		return rep, err
	}
	baseImages, err := buildSide(ctx, cli, baseTree.dir, tmp, "base", rep.Base, sidePrograms)
	removeTree(baseTree, log)
	if err != nil {
		return rep, err
	}

	shared, err := sharedEnv(ctx, cli, o.out, headImages[containers.ImageLoadgen])
	if err != nil {
		return rep, err
	}
	base := side{name: "base", images: envImages(baseImages)}
	head := side{name: "head", images: envImages(headImages)}
	delete(head.images, imageEnvVar[containers.ImageLoadgen]) // shared, in env
	for k, v := range baseImages {
		rep.Base.Images[k] = v
	}
	for k, v := range headImages {
		rep.Head.Images[k] = v
	}
	fmt.Fprintf(log, "perfcompare: images built in %s; %d runs of %s follow (A = base, B = head)\n",
		time.Since(start).Round(time.Second), 2*o.pairs, o.runPattern())

	st := suite{bin: suiteBin, dir: filepath.Join(headTree.dir, "perf"), pattern: o.runPattern(), timeout: o.timeout, env: shared}
	a, b, records, err := interleave(ctx, st, o.out, o.pairs, base, head, o.scenarios, log)
	if err != nil {
		if ctx.Err() != nil {
			// The suite's own containers outlive an interrupted run: remove those of runs that are gone.
			containers.CleanStale(context.Background())
		}
		return rep, err
	}
	if err := measuredSomething(a, b, o.scenarios); err != nil {
		return rep, err
	}
	cmp := abtest.Compare(a, b, o.settings)
	cmp.Base, cmp.Head, cmp.Runs, cmp.Test = rep.Base, rep.Head, records, abtest.TestDescription
	if err := cmp.Write(filepath.Join(o.out, abtest.ReportFile)); err != nil {
		return cmp, err
	}
	fmt.Fprintf(log, "perfcompare: done in %s\n", time.Since(start).Round(time.Second))
	return cmp, nil
}

// measuredSomething refuses a comparison where a scenario has no result on either side: nothing
// was measured, which is a broken set-up, not a verdict on the head.
func measuredSomething(a, b []abtest.Run, scenarios []string) error {
	for _, name := range scenarios {
		n := 0
		for _, r := range append(append([]abtest.Run{}, a...), b...) {
			if _, ok := r.Scenarios[name]; ok {
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("%s wrote no result.json in any run: see the runs' test.log", name)
		}
	}
	return nil
}

func describeTree(r abtest.Revision) string {
	s := r.Rev + " = " + r.SHA[:12]
	if r.Dirty {
		s += " with uncommitted changes"
	}
	return s
}

func removeTree(s source, log io.Writer) {
	if err := s.remove(); err != nil {
		fmt.Fprintf(log, "perfcompare: removing worktree %s: %v\n", s.dir, err)
	}
}

// buildSide builds the named programs of one tree as images with the side's explicit tags.
func buildSide(ctx context.Context, cli dockerClient, tree, tmp, name string, rev abtest.Revision, keys []string) (map[string]string, error) {
	out := map[string]string{}
	for _, key := range keys {
		bin := filepath.Join(tmp, name+"-"+key)
		if err := goBuild(ctx, tree, mainPackage[key], bin); err != nil {
			return nil, err
		}
		tag := imageTag(key, name, rev.SHA, rev.Dirty)
		if err := buildImage(ctx, cli, tree, bin, tag); err != nil {
			return nil, err
		}
		out[key] = tag
	}
	return out, nil
}

// imageEnvVar is the suite's variable for each image.
var imageEnvVar = map[string]string{
	containers.ImageService:  "PERF_SERVICE_IMAGE",
	containers.ImageHandler:  "PERF_HANDLER_IMAGE",
	containers.ImageLoadgen:  "PERF_LOADGEN_IMAGE",
	containers.ImagePostgres: "PERF_POSTGRES_IMAGE",
	containers.ImageRedis:    "PERF_REDIS_IMAGE",
}

func envImages(images map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range images {
		out[imageEnvVar[k]] = v
	}
	return out
}

// sharedEnv is what both sides run with: the head's generator, PostgreSQL and Redis pinned (the
// user's PERF_POSTGRES_IMAGE / PERF_REDIS_IMAGE if set, else today's local builds by their
// content tags), no stored baseline, and the smoke profile unless PERF_PROFILE says otherwise.
func sharedEnv(ctx context.Context, cli dockerClient, out, loadgen string) ([]string, error) {
	baseline, err := emptyBaseline(out)
	if err != nil {
		return nil, err
	}
	env := []string{"PERF_LOADGEN_IMAGE=" + loadgen, "PERF_BASELINE_FILE=" + baseline,
		"TESTCONTAINERS_RYUK_DISABLED=true", "TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"}
	if os.Getenv("PERF_PROFILE") == "" {
		env = append(env, "PERF_PROFILE=smoke")
	}
	for _, key := range []string{containers.ImagePostgres, containers.ImageRedis} {
		if containers.Overridden(key) {
			continue
		}
		if _, err := containers.EnsureImages(ctx, key); err != nil {
			return nil, err
		}
		img, err := pinned(ctx, cli, key)
		if err != nil {
			return nil, err
		}
		env = append(env, imageEnvVar[key]+"="+img)
	}
	return env, nil
}
