//go:build perf

package perf

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
	"github.com/challenge-perf/challenge-perf/targets"
)

// TestExternalTarget_PublicProtocolsOnly measures a target the way the suite meets the users' own
// service: by address only (PERF_TARGET_* without ops URLs, database or Redis), its containers
// named (PERF_TARGET_CONTAINERS), a per-user set-up call, auth off. The target here is this
// repository's stack, started aside, so the run can be checked: the level must pass, its integrity
// be proven through the public API alone (seeded state plus every acknowledged event), its CPU
// and memory be measured by container name, and everything else be listed as not measured.
// Then the check must fail when the truth says something the target never acknowledged.
func TestExternalTarget_PublicProtocolsOnly(t *testing.T) {
	ctx := context.Background()
	f, err := loadFixtures()
	require.NoError(t, err)
	cfg, err := harness.StackConfigFromEnv()
	require.NoError(t, err)
	cfg.AuthMode = "mock-header"
	cfg.ChallengesJSON, cfg.PublicKeyPEM = f.ChallengesJSON, f.PublicKeyPEM
	cfg.Logf = t.Logf
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	stack, err := harness.StartStack(startCtx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = stack.Terminate(context.Background()) })

	ids := stack.Containers()
	withSettings(t, func(s *runner.Settings) {
		s.Target.Containers = map[string]string{}
		for _, role := range []string{harness.AliasService, harness.AliasHandler, harness.AliasPostgres} {
			s.Target.Containers[role] = ids[role].GetContainerID()
		}
		*s = s.WithSetupCall(&targets.Call{Method: http.MethodGet, Path: "/v1/challenges"})
	})
	p := settings.Profile()
	p.Duration = 10 * time.Second
	dir := filepath.Join(runDir, "external")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	// The address only: what a user gives for a deployment the suite did not start.
	ep := harness.Endpoints{APIURL: stack.Endpoints.APIURL, GRPCAddr: stack.Endpoints.GRPCAddr}
	ep.InternalAPIURL, ep.InternalGRPCAddr = ep.APIURL, ep.GRPCAddr
	e := startExternal(t, ctx, "external", dir, p, stack.Config, f, ep)

	out := e.runLevel(runner.LevelSpec{Name: suite.LevelName(50, 300), RPS: 50, EPS: 300})
	require.Equal(t, runresult.VerdictPass, out.Verdict, out.Reasons)
	require.NotNil(t, out.Setup, "the per-user set-up ran")
	require.Equal(t, len(f.Users), out.Setup.Users)
	require.Zero(t, out.Setup.Errors)
	require.NotNil(t, out.Seed, "realistic state seeded through the target's own handler")
	require.NotNil(t, out.Integrity)
	require.Equal(t, "api", out.Integrity.Method)
	require.True(t, out.Integrity.OK, out.Integrity.Problems)
	require.Equal(t, out.Integrity.UsersChecked, out.Integrity.APIChecked, "every touched user whose earlier state is known is read")
	require.Empty(t, out.Integrity.Unproven, "enough observable events to detect 1 lost in 500")
	require.Contains(t, out.Resources, harness.AliasService, "CPU and memory by container name")
	require.Contains(t, out.Resources, harness.AliasHandler)
	require.Nil(t, out.Flush, "no flush statistics without the target's metrics")

	info := e.targetInfo()
	require.Equal(t, "external", info.Impl)
	joined := strings.Join(info.NotMeasured, "\n")
	for _, what := range []string{"flush statistics", "SQL integrity", "profiles", "PostgreSQL statistics"} {
		require.Contains(t, joined, what)
	}
	require.NotContains(t, joined, "container CPU")
	require.Empty(t, e.baselineFile(), "an unknown implementation is measured, not gated")

	// The check can fail: a value no acknowledged event carried must be reported (the sample always
	// holds the first touched user whose earlier state was read).
	var user string
	for _, u := range e.truth.Users() {
		if e.priorUsers == nil || e.priorUsers[u] {
			user = u
			break
		}
	}
	e.truth.Stat(user, "wins", 1e6, time.Now())
	cat, err := challenges.Parse(f.ChallengesJSON)
	require.NoError(t, err)
	in := &runresult.Integrity{}
	_, err = e.checkThroughAPI(ctx, in, cat, 2*time.Second)
	require.NoError(t, err)
	require.False(t, in.OK)
	require.Len(t, in.Problems, 1)
	require.Contains(t, in.Problems[0], user)
}
