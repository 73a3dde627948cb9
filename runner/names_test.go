package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnknownSuggestsTheClosestName(t *testing.T) {
	got := Unknown([]string{
		"PERF_LEVELS=1,2", "PATH=/bin", "PERF_LEVLES=100", "PERF_BISCET=false", "perf_profile=nightly",
		"PERF_WHATEVER=1", "PERF_SERVICE_IMAGE=x", "PERF_RUN=Scenario1", "PERF_DURATION",
	})
	require.Equal(t, []string{
		"PERF_BISCET is not a setting of the suite (did you mean PERF_BISECT?)",
		"PERF_LEVLES is not a setting of the suite (did you mean PERF_LEVELS?)",
		"PERF_WHATEVER is not a setting of the suite (runner/names.go lists every PERF_ name)",
		"perf_profile is not a setting of the suite (did you mean PERF_PROFILE?)",
	}, got)
	require.Empty(t, Unknown(nil))
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "abc", 0}, {"abc", "acb", 2}, {"kitten", "sitting", 3}, {"PERF_LEVLES", "PERF_LEVELS", 2}, {"", "ab", 2}} {
		require.Equal(t, c.d, editDistance(c.a, c.b), "%q %q", c.a, c.b)
		require.Equal(t, c.d, editDistance(c.b, c.a), "%q %q", c.b, c.a)
	}
	require.Empty(t, suggest("PERF_COMPLETELY_DIFFERENT"), "no suggestion beyond two edits")
}

// Every PERF_ name the repository's code, README, Makefile and workflows mention is known, and
// every known name is mentioned somewhere (a removed setting leaves no stale entry).
func TestKnownNamesMatchTheRepository(t *testing.T) {
	out, err := exec.Command("git", "-C", "..", "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	name := regexp.MustCompile(`PERF_[A-Z0-9_]+`)
	seen := map[string]string{}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		scan := strings.HasSuffix(f, ".go") || strings.HasSuffix(f, ".yml") || f == "README.md" || f == "Makefile"
		// The list itself proves nothing; this package's tests spell names wrong on purpose.
		if !scan || f == "runner/names.go" || strings.HasPrefix(f, "runner/") && strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			continue // deleted in the work tree
		}
		for _, n := range name.FindAllString(string(data), -1) {
			if !strings.HasSuffix(n, "_") { // a prefix such as PERF_HANDLER_*
				seen[n] = f
			}
		}
	}
	require.NotEmpty(t, seen, "run from the runner directory")
	for n, f := range seen {
		_, ok := known[n]
		require.True(t, ok, "%s (in %s) is missing from runner/names.go", n, f)
	}
	for _, n := range Known() {
		_, ok := seen[n]
		require.True(t, ok, "%s is in runner/names.go but nothing in the repository mentions it", n)
	}
}
