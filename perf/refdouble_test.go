//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
	"github.com/challenge-perf/challenge-perf/targets"
)

// TestReferenceDouble measures a double of the reference implementation (perf/refdouble: its env
// names, defaultAssigned catalog, initialise call per user, gRPC health, no metrics of ours, its own
// schema, "status" twice and "" times in its JSON) the way users will measure the reference: inside
// the suite's stack with PERF_IMPL=reference and its images, and as an external target reached by
// address. Scenarios 1, 2 and 5 must pass at smoke level in both, with integrity proven through the
// API alone; then a double that drops acknowledged events must be caught.
func TestReferenceDouble(t *testing.T) {
	if settings.Target.Set() {
		t.Skip("an external target is configured: this test starts its own")
	}
	ctx := context.Background()
	imgs, err := containers.EnsureImages(ctx, containers.ImageRefDouble)
	require.NoError(t, err)
	// The stack's settings are read by harness at every start; the suite's own are changed here.
	t.Setenv("PERF_IMPL", targets.Reference)
	t.Setenv("PERF_SERVICE_IMAGE", imgs[containers.ImageRefDouble])
	t.Setenv("PERF_HANDLER_IMAGE", imgs[containers.ImageRefDouble])
	t.Setenv("PERF_SERVICE_ENV", "MIGRATIONS_PATH=file:///migrations")
	withSettings(t, func(s *runner.Settings) {
		s.Impl = targets.Reference
		s.Duration = 20 * time.Second // enough events that the API check can detect 1 lost in 500
	})

	t.Run("in stack", func(t *testing.T) {
		scenario1(t, filepath.Join("refdouble-stack", "scenario1"))
		scenario2(t, filepath.Join("refdouble-stack", "scenario2"))
		scenario5(t, filepath.Join("refdouble-stack", "scenario5"))
	})

	t.Run("external", func(t *testing.T) {
		s := startDoubleStack(t, "")
		ids := s.Containers()
		withSettings(t, func(x *runner.Settings) {
			x.Target = runner.External{BaseURL: s.Endpoints.APIURL, GRPCAddr: s.Endpoints.GRPCAddr,
				ServiceOpsURL: s.Endpoints.ServiceMetricsURL, HandlerOpsURL: s.Endpoints.HandlerMetricsURL,
				Containers: map[string]string{
					harness.AliasService: ids[harness.AliasService].GetContainerID(),
					harness.AliasHandler: ids[harness.AliasHandler].GetContainerID(),
				}}
		})
		scenario1(t, filepath.Join("refdouble-external", "scenario1"))
		scenario2(t, filepath.Join("refdouble-external", "scenario2"))
		scenario5(t, filepath.Join("refdouble-external", "scenario5"))
	})

	// Scenario 2 must catch an acknowledged event that was never applied, and its verdict must say
	// so: result.json's level is fail_integrity naming the loss, and it is not the maximum.
	t.Run("dropped event is caught", func(t *testing.T) {
		t.Setenv("PERF_HANDLER_ENV", "REFDOUBLE_DROP_EVERY=500")
		withSettings(t, func(s *runner.Settings) { s.APICheckUsers = 0 }) // all
		e := startScenario(t, filepath.Join("refdouble-drop", "scenario2"))
		require.Equal(t, targets.Reference, e.target.Name)
		var caught []string
		e.integrityFailed = func(msg string) { caught = append(caught, msg) }
		res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
		if best := e.stepLevels(res, []runner.LevelSpec{{Name: suite.LevelName(0, 200), EPS: 200}}); best != nil {
			res.MaxSustainable, res.MaxEPS = best.Level, best.EPS
		}
		e.writeResult(res)
		require.NotEmpty(t, caught, "an acknowledged stat event was dropped every 500: the API check must see it")
		t.Logf("caught: %s", caught[0])
		require.Contains(t, caught[0], "deciding acknowledged event lg-", "the lost event is named by user, stat and event id")

		var written runresult.ScenarioResult
		b, err := os.ReadFile(filepath.Join(e.dir, runresult.ResultFile))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &written))
		require.Len(t, written.Levels, 1)
		l := written.Levels[0]
		require.Equal(t, runresult.VerdictIntegrity, l.Verdict)
		require.NotEmpty(t, l.Reasons)
		require.Contains(t, strings.Join(l.Reasons, "; "), "acknowledged")
		require.Empty(t, written.MaxSustainable, "a level that lost acknowledged events is never a maximum")
		require.Equal(t, l.Level, written.StoppedAt)
	})
}

// startDoubleStack starts the stack running the reference double, as a deployment the suite did not start.
func startDoubleStack(t *testing.T, handlerEnv string) *harness.Stack {
	t.Helper()
	f, err := loadFixtures()
	require.NoError(t, err)
	cfg, err := harness.StackConfigFromEnv()
	require.NoError(t, err)
	require.Equal(t, targets.Reference, cfg.Target.Name)
	cfg.ChallengesJSON, cfg.PublicKeyPEM = f.ChallengesJSON, f.PublicKeyPEM
	cfg.Logf = t.Logf
	if handlerEnv != "" {
		k, v, _ := strings.Cut(handlerEnv, "=")
		cfg.HandlerEnv = map[string]string{k: v}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	s, err := harness.StartStack(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Terminate(context.Background()) })
	return s
}
