package opshttp

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDebugRoutesGuarded(t *testing.T) {
	get := func(h http.Handler, path, remote, authz string) int {
		r := httptest.NewRequest("GET", path, nil)
		r.RemoteAddr = remote
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	open := Handler(NewRegistry(), func(context.Context) error { return nil }, "", slog.Default())
	// No token: private and loopback clients only.
	require.Equal(t, 200, get(open, "/debug/pprof/cmdline", "127.0.0.1:5000", ""))
	require.Equal(t, 200, get(open, "/debug/pprof/cmdline", "172.18.0.1:5000", ""), "Docker bridge: the perf suite")
	require.Equal(t, 200, get(open, "/debug/pprof/cmdline", "[::1]:5000", ""))
	require.Equal(t, 403, get(open, "/debug/pprof/cmdline", "203.0.113.9:5000", ""))
	require.Equal(t, 403, get(open, "/debug/pprof/", "203.0.113.9:5000", ""))
	require.Equal(t, 200, get(open, "/metrics", "203.0.113.9:5000", ""), "metrics stay scrapeable")

	// A token: required from everyone.
	tok := Handler(NewRegistry(), func(context.Context) error { return nil }, "s3cret", slog.Default())
	require.Equal(t, 401, get(tok, "/debug/pprof/cmdline", "127.0.0.1:5000", ""))
	require.Equal(t, 401, get(tok, "/debug/pprof/cmdline", "127.0.0.1:5000", "Bearer wrong"))
	require.Equal(t, 200, get(tok, "/debug/pprof/cmdline", "203.0.113.9:5000", "Bearer s3cret"))
	require.Equal(t, 200, get(tok, "/healthz", "203.0.113.9:5000", ""))
}

// A failed health check answers a fixed body: the database error (hosts, users, database names)
// goes to the log, never to the caller of an unguarded port.
func TestHealthzDoesNotReturnTheError(t *testing.T) {
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	secret := `failed to connect to host=db.internal user=challenge_admin database=challenge: password authentication failed`
	h := Handler(NewRegistry(), func(context.Context) error { return errors.New(secret) }, "", log)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.JSONEq(t, `{"status":"unhealthy"}`, w.Body.String())
	require.NotContains(t, w.Body.String(), "db.internal")
	require.Contains(t, logged.String(), "password authentication failed", "the reason is logged")

	w = httptest.NewRecorder()
	Handler(NewRegistry(), func(context.Context) error { return nil }, "", log).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	require.Equal(t, http.StatusOK, w.Code)
	require.JSONEq(t, `{"status":"healthy"}`, w.Body.String())
}

func TestOpsServerHasTimeouts(t *testing.T) {
	s := Server(":0", http.NotFoundHandler())
	require.Positive(t, s.ReadHeaderTimeout)
	require.Positive(t, s.ReadTimeout)
	require.Positive(t, s.IdleTimeout)
	require.GreaterOrEqual(t, s.WriteTimeout, time.Minute, "room for a 30 s CPU profile")
	require.Positive(t, s.MaxHeaderBytes)
}
