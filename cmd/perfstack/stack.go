package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/fixtures"
	"github.com/challenge-perf/challenge-perf/harness"
)

// up starts the spec's stack for manual exploration, prints its endpoints as KEY=value lines on
// stdout (progress goes to stderr) and leaves it running until `perfstack down`.
func up(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join("perf", "results", "stack"), "where to write tokens, users and the public key")
	testdata := fs.String("testdata", filepath.Join("perf", "testdata"), "fixture directory (challenges.json, users.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if n, _, err := containers.CountLabel(ctx, containers.LabelStack+"=perfstack"); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("a stack started by `perfstack up` is already running (%d containers): run `perfstack down` first", n)
	}
	cfg, err := harness.StackConfigFromEnv()
	if err != nil {
		return err
	}
	cat, err := os.ReadFile(filepath.Join(*testdata, fixtures.ChallengesFile))
	if err != nil {
		return err
	}
	usersJSON, err := os.ReadFile(filepath.Join(*testdata, fixtures.UsersFile))
	if err != nil {
		return err
	}
	var users []string
	if err := json.Unmarshal(usersJSON, &users); err != nil {
		return fmt.Errorf("%s: %w", fixtures.UsersFile, err)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	key, err := fixtures.NewSigningKey()
	if err != nil {
		return err
	}
	pub, err := key.PublicPEM()
	if err != nil {
		return err
	}
	toks, err := key.SignAll(users, cfg.Namespace, 24*time.Hour)
	if err != nil {
		return err
	}
	tokensFile, usersFile := filepath.Join(*dir, "tokens.json"), filepath.Join(*dir, "users.json")
	if err := fixtures.WriteJSON(tokensFile, toks); err != nil {
		return err
	}
	if err := os.WriteFile(usersFile, usersJSON, 0o644); err != nil {
		return err
	}
	cfg.ChallengesJSON, cfg.PublicKeyPEM = cat, pub
	cfg.Logf = func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	containers.ExtraLabels[containers.LabelStack] = "perfstack"
	s, err := harness.StartStack(ctx, cfg)
	if err != nil {
		return err
	}
	e := s.Endpoints
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	for _, kv := range [][2]string{
		{"API_URL", e.APIURL}, {"GRPC_ADDR", e.GRPCAddr},
		{"SERVICE_METRICS_URL", e.ServiceMetricsURL + "/metrics"}, {"HANDLER_METRICS_URL", e.HandlerMetricsURL + "/metrics"},
		{"POSTGRES_DSN", e.PostgresDSN}, {"REDIS_ADDR", e.RedisAddr},
		{"TOKENS_FILE", abs(tokensFile)}, {"USERS_FILE", abs(usersFile)},
	} {
		fmt.Printf("%s=%s\n", kv[0], kv[1])
	}
	fmt.Fprintln(os.Stderr, "stack is up; stop it with: go run ./cmd/perfstack down")
	return nil
}

// down removes the stack started by up.
func down(ctx context.Context) error {
	c, n, err := containers.CleanLabel(ctx, containers.LabelStack+"=perfstack")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "removed %d containers and %d networks\n", c, n)
	return nil
}
