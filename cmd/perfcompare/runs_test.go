package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/challenge-perf/challenge-perf/abtest"
	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestImageTagsAreDistinctPerSide(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	base, head := imageTag("challenge-service", "base", sha, false), imageTag("challenge-service", "head", sha, true)
	if base != "challenge-perf/challenge-service:ab-base-0123456789ab" || head != "challenge-perf/challenge-service:ab-head-0123456789ab-dirty" {
		t.Errorf("tags %s / %s", base, head)
	}
}

// The side's images must win over the same variables in the process's environment (exec uses
// the last value of a duplicated key).
func TestRunEnvPutsTheSideLast(t *testing.T) {
	env := runEnv([]string{"PERF_SERVICE_IMAGE=user:1", "HOME=/root"}, []string{"PERF_LOADGEN_IMAGE=lg:head"},
		side{name: "base", images: map[string]string{"PERF_SERVICE_IMAGE": "svc:base"}}, "/out/A1")
	cmd := exec.Command("sh", "-c", `printf '%s|%s|%s' "$PERF_SERVICE_IMAGE" "$PERF_LOADGEN_IMAGE" "$PERF_RESULTS_DIR"`)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("no sh: %v", err)
	}
	if got := string(out); got != "svc:base|lg:head|/out/A1" {
		t.Errorf("the run sees %s", got)
	}
}

func TestMeasuredSomethingRefusesAScenarioNoRunWrote(t *testing.T) {
	got := abtest.Run{Scenarios: map[string]abtest.ScenarioRun{"scenario1": {}}}
	if err := measuredSomething([]abtest.Run{got}, []abtest.Run{{}}, []string{"scenario1"}); err != nil {
		t.Errorf("scenario1 measured once: %v", err)
	}
	if err := measuredSomething([]abtest.Run{got}, []abtest.Run{{}}, []string{"scenario1", "scenario2"}); err == nil || !strings.Contains(err.Error(), "scenario2") {
		t.Errorf("scenario2 never measured: %v", err)
	}
}

func TestEmptyBaselineGatesNothing(t *testing.T) {
	path, err := emptyBaseline(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := runresult.ReadBaseline(path)
	if err != nil || len(b) != 0 {
		t.Errorf("baseline %v, %v: want empty", b, err)
	}
}

func TestResolveAndCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "one"}} {
		if _, err := git(root, args...); err != nil {
			t.Fatal(err)
		}
	}
	sha, err := resolve(root, "HEAD")
	if err != nil || len(sha) != 40 {
		t.Fatalf("resolve HEAD: %q %v", sha, err)
	}
	if _, err := resolve(root, "no-such-branch"); err == nil || !strings.Contains(err.Error(), "not a commit") {
		t.Errorf("a bad revision: %v", err)
	}
	if _, err := resolve(root, "--help"); err == nil {
		t.Error("an option given as a revision is accepted")
	}
	if d, err := dirty(root); err != nil || d {
		t.Errorf("clean tree: dirty %v %v", d, err)
	}
	src, err := checkout(root, sha, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src.dir, ".git")); err != nil {
		t.Errorf("the worktree has no .git: %v", err)
	}
	if err := src.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src.dir); !os.IsNotExist(err) {
		t.Errorf("the worktree is still there: %v", err)
	}
	if out, _ := git(root, "worktree", "list"); strings.Count(out, "\n") != 0 {
		t.Errorf("git still lists the removed worktree:\n%s", out)
	}
}
