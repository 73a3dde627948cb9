package main

// End-to-end test of the binary's wiring: config → database → both servers → graceful shutdown,
// against PostgreSQL from the harness (Docker required).

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/envconf"
)

const smallCatalog = `{"challenges":[{"challengeId":"c1","name":"C1","description":"d","goals":[
 {"goalId":"g1","name":"n","description":"d","eventSource":"login","requirement":{"statCode":"login_count","operator":">=","targetValue":1},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":10}},
 {"goalId":"g2","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"ITEM","rewardId":"sword","quantity":1}}]}]}`

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func TestServiceEndToEnd(t *testing.T) {
	pg := containers.PostgresForTest(t)
	dsn := pg.DSN(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	pass, _ := u.User.Password()
	catPath := filepath.Join(t.TempDir(), "challenges.json")
	require.NoError(t, os.WriteFile(catPath, []byte(smallCatalog), 0o600))
	apiAddr, opsAddr := freeAddr(t), freeAddr(t)

	cfg, err := loadConfig(envconf.FromMap(map[string]string{
		"DB_HOST": u.Hostname(), "DB_PORT": u.Port(), "DB_USER": u.User.Username(), "DB_PASSWORD": pass,
		"DB_NAME": strings.TrimPrefix(u.Path, "/"), "DB_MAX_IDLE_CONNS": "1", "DB_MAX_OPEN_CONNS": "5",
		"CHALLENGE_CONFIG_PATH": catPath, "HTTP_ADDR": apiAddr, "OPS_ADDR": opsAddr,
		"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true", "MOCK_AGS": "true",
		"MOCK_AGS_LATENCY_MIN_MS": "1", "MOCK_AGS_LATENCY_MAX_MS": "5",
	}))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() { cancel(); <-done })

	get := func(method, rawURL, user string) (int, string) {
		req, _ := http.NewRequest(method, rawURL, nil)
		if user != "" {
			req.Header.Set("X-Mock-User-Id", user)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	api, ops := "http://"+apiAddr+"/challenge", "http://"+opsAddr
	require.Eventually(t, func() bool { c, _ := get("GET", api+"/healthz", ""); return c == 200 }, 30*time.Second, 50*time.Millisecond)

	code, body := get("GET", api+"/v1/challenges", "user-1")
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"status":"not_started"`)

	conn, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	tag, err := conn.Exec(context.Background(), `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value, crossed_at)
		SELECT 'user-1', d.stat_key, 'test', d.target_value, now(), d.target_value, array_fill(now(), ARRAY[width_bucket(d.target_value, t.targets)])
		FROM goal_definitions d JOIN stat_thresholds t ON t.stat_key = d.stat_key WHERE d.goal_id = 'g1'`)
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected(), "goal definitions and thresholds were synced and the schema migrated")

	code, body = get("POST", api+"/v1/challenges/c1/goals/g1/claim", "user-1")
	require.Equal(t, 200, code, body)
	code, _ = get("POST", api+"/v1/challenges/c1/goals/g1/claim", "user-1")
	require.Equal(t, 409, code)

	code, body = get("GET", ops+"/debug/mock-ags/grants?user=user-1", "")
	require.Equal(t, 200, code)
	var grants struct {
		Grants map[string]int `json:"grants"`
		Total  int            `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &grants))
	require.Equal(t, map[string]int{"g1": 1}, grants.Grants)
	require.Equal(t, 1, grants.Total)

	code, body = get("GET", ops+"/metrics", "")
	require.Equal(t, 200, code)
	for _, want := range []string{
		`http_requests_total{code="200",route="GET /challenge/v1/challenges"} 1`,
		`http_requests_total{code="409",route="POST /challenge/v1/challenges/{challengeId}/goals/{goalId}/claim"} 1`,
		`http_request_duration_seconds_bucket{code="200",route="GET /challenge/v1/challenges"`,
		`challenge_claims_total{outcome="claimed"} 1`,
		`challenge_claims_total{outcome="already_claimed"} 1`,
		`reward_grants_total{result="success",type="WALLET"} 1`,
		`mock_ags_grants_total 1`,
		`db_pool_max_conns 5`, `db_pool_acquired_conns`, `db_pool_idle_conns`, `db_pool_total_conns`,
		`db_pool_acquire_count_total`, `db_pool_acquire_duration_seconds_total`, `db_pool_empty_acquire_count_total`,
		`go_goroutines`,
		// Mocks are loud: a gauge per mock in use, so a dashboard shows a deployment running on one.
		`challenge_mock_active{mock="identity"} 1`, `challenge_mock_active{mock="reward_platform"} 1`,
	} {
		require.Contains(t, body, want)
	}
	code, _ = get("GET", ops+"/healthz", "")
	require.Equal(t, 200, code)
	code, _ = get("GET", ops+"/debug/pprof/", "")
	require.Equal(t, 200, code)

	cancel() // SIGTERM path: graceful shutdown returns nil
	select {
	case err := <-done:
		require.NoError(t, err)
		done <- nil // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("service did not shut down")
	}
	code, _ = get("GET", api+"/healthz", "")
	require.Zero(t, code, "listener closed")
}

func TestBuildFailsFastOnBadCatalog(t *testing.T) {
	cfg, err := loadConfig(envconf.FromMap(map[string]string{
		"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true", "MOCK_AGS": "true",
		"CHALLENGE_CONFIG_PATH": filepath.Join(t.TempDir(), "missing.json"),
	}))
	require.NoError(t, err)
	_, err = build(context.Background(), cfg, slog.Default())
	require.ErrorContains(t, err, "challenge config")

	cfg.AuthEnabled, cfg.JWTPublicKey = true, filepath.Join(t.TempDir(), "nokey.pem")
	p := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, os.WriteFile(p, []byte(smallCatalog), 0o600))
	cfg.CatalogPath = p
	_, err = build(context.Background(), cfg, slog.Default())
	require.ErrorContains(t, err, "JWT public key")
}
