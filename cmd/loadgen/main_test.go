package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

func writePlan(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
	return p
}

func TestUsageAndPlanErrors(t *testing.T) {
	var e bytes.Buffer
	assert.Equal(t, 2, run(nil, &e))
	assert.Equal(t, 2, run([]string{"run"}, &e))
	assert.Equal(t, 2, run([]string{"bogus"}, &e))
	assert.Equal(t, 0, run([]string{"version"}, &e))
	e.Reset()
	bad := writePlan(t, `{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet","rps":3}}}`)
	assert.Equal(t, 2, run([]string{"run", "--plan", bad, "--out", t.TempDir()}, &e))
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(e.String()), "\n")+1, "one error line: %q", e.String())
	assert.Contains(t, e.String(), `"rps"`)
}

func TestRunWritesSummaryAndExits99(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	plan := writePlan(t, fmt.Sprintf(`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":20,"duration":"1s",
		"preAllocatedVUs":2,"exec":"httpGet"}},"target":{"baseURL":%q},"thresholds":{"http_reqs":["count>1000000"]}}`, srv.URL))
	out := filepath.Join(t.TempDir(), "out")
	var e bytes.Buffer
	assert.Equal(t, 99, run([]string{"run", "--plan", plan, "--out", out, "--quiet"}, &e), e.String())
	for _, f := range []string{"summary.json", "timeseries.ndjson"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err, f)
	}
}

// The shipped example plans must stay valid.
func TestExamplePlansParse(t *testing.T) {
	files, err := filepath.Glob("plans/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		_, err := loadgen.LoadPlan(f)
		assert.NoError(t, err, f)
	}
}
