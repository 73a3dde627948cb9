//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/testcontainers/testcontainers-go"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/targets"
)

// externalTarget reads PERF_TARGET_*: an existing deployment (staging) to load instead of the
// containerised stack, for teams that outgrow one machine. Base URL and gRPC address are required
// together; the ops URLs, database DSN and Redis address are optional and enable profiles, flush
// statistics and (with PERF_TARGET_ALLOW_RESET=true) the reset between levels and the integrity check.
func externalTarget() (harness.Endpoints, bool, error) {
	x := settings.Target
	e := harness.Endpoints{
		APIURL:            x.BaseURL,
		GRPCAddr:          x.GRPCAddr,
		ServiceMetricsURL: x.ServiceOpsURL,
		HandlerMetricsURL: x.HandlerOpsURL,
		PostgresDSN:       x.PostgresDSN,
		RedisAddr:         x.RedisAddr,
	}
	if e.APIURL == "" && e.GRPCAddr == "" {
		return e, false, nil
	}
	if e.APIURL == "" || e.GRPCAddr == "" {
		return e, false, fmt.Errorf("PERF_TARGET_BASE_URL and PERF_TARGET_GRPC_ADDR go together (an external target needs both)")
	}
	// The generator runs on the host network, so it reaches the target as the host does.
	e.InternalAPIURL, e.InternalGRPCAddr = e.APIURL, e.GRPCAddr
	return e, true, nil
}

func startExternal(t *testing.T, ctx context.Context, name, dir string, p runner.Profile, cfg harness.StackConfig,
	f *fixtureSet, ep harness.Endpoints) *scenarioEnv {
	e := &scenarioEnv{t: t, name: name, dir: dir, profile: p, cfg: cfg, ep: ep, fix: f, targetState: externalState(ep)}
	// Nothing beyond the public protocols is assumed of an address unless PERF_IMPL names the
	// implementation behind it.
	e.target = targets.Unknown()
	if settings.Impl != "" {
		e.target = cfg.Target
	}
	if tf := settings.Target.TokensFile; tf != "" {
		data, err := os.ReadFile(tf)
		if err != nil {
			t.Fatalf("PERF_TARGET_TOKENS_FILE: %v", err)
		}
		var toks []string
		if err := json.Unmarshal(data, &toks); err != nil || len(toks) != len(f.Users) {
			t.Fatalf("PERF_TARGET_TOKENS_FILE: want a JSON array of %d tokens aligned with perf/testdata/users.json", len(f.Users))
		}
		cp := *f
		cp.TokensJSON = data
		e.fix = &cp
	} else if cfg.AuthMode == "bearer" {
		t.Fatal("an external target in bearer mode needs PERF_TARGET_TOKENS_FILE (tokens it accepts), or PERF_AUTH_MODE=mock-header")
	}
	if ep.PostgresDSN != "" {
		db, err := pgxpool.New(ctx, ep.PostgresDSN)
		if err != nil {
			t.Fatalf("PERF_TARGET_POSTGRES_DSN: %v", err)
		}
		t.Cleanup(db.Close)
		e.db = db
		// Resetting truncates this repository's tables: only for a target that has them.
		e.canReset = settings.Target.AllowReset && e.target.Has.OurSchema
	}
	if ep.RedisAddr != "" {
		e.redis = redis.NewClient(&redis.Options{Addr: ep.RedisAddr})
		t.Cleanup(func() { e.redis.Close() })
	}
	ids, err := targetContainers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.statIDs = ids
	man, err := harness.BuildManifest(ctx, nil, map[string]string{
		"profile": p.Name, "duration_per_level": p.Duration.String(), "auth_mode": cfg.AuthMode,
		"external_target": ep.APIURL + " " + ep.GRPCAddr, "impl": e.target.Name,
	})
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	writeJSON(t, dir+"/manifest.json", man)
	t.Logf("%s: external target %s, %s (reset between levels: %v)", name, ep.APIURL, ep.GRPCAddr, e.canReset)
	e.initTarget()
	return e
}

// external is the last external target's state: the next scenario against the same target starts
// from what the suite knows of it (its set-up done, its prior state read, its truth). Only the last
// is kept: a truth with every user's prior goals is a few hundred MB.
var external struct {
	key   string
	state *targetState
}

func externalState(ep harness.Endpoints) *targetState {
	if k := ep.APIURL + " " + ep.GRPCAddr; k != external.key || external.state == nil {
		external.key, external.state = k, newTargetState()
	}
	return external.state
}

// network is the stack's network for the generator's container (nil: host network).
func (e *scenarioEnv) network() *testcontainers.DockerNetwork {
	if e.stack == nil {
		return nil
	}
	return e.stack.Network
}
