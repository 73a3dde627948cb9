package opshttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

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
	open := Handler(NewRegistry(), func(context.Context) error { return nil }, "")
	// No token: private and loopback clients only.
	require.Equal(t, 200, get(open, "/debug/pprof/cmdline", "127.0.0.1:5000", ""))
	require.Equal(t, 200, get(open, "/debug/pprof/cmdline", "172.18.0.1:5000", ""), "Docker bridge: the perf suite")
	require.Equal(t, 200, get(open, "/debug/pprof/cmdline", "[::1]:5000", ""))
	require.Equal(t, 403, get(open, "/debug/pprof/cmdline", "203.0.113.9:5000", ""))
	require.Equal(t, 403, get(open, "/debug/pprof/", "203.0.113.9:5000", ""))
	require.Equal(t, 200, get(open, "/metrics", "203.0.113.9:5000", ""), "metrics stay scrapeable")

	// A token: required from everyone.
	tok := Handler(NewRegistry(), func(context.Context) error { return nil }, "s3cret")
	require.Equal(t, 401, get(tok, "/debug/pprof/cmdline", "127.0.0.1:5000", ""))
	require.Equal(t, 401, get(tok, "/debug/pprof/cmdline", "127.0.0.1:5000", "Bearer wrong"))
	require.Equal(t, 200, get(tok, "/debug/pprof/cmdline", "203.0.113.9:5000", "Bearer s3cret"))
	require.Equal(t, 200, get(tok, "/healthz", "203.0.113.9:5000", ""))
}
