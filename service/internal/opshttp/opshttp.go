// Package opshttp serves the operations port both programs share (:8080 by default):
// Prometheus metrics, a health check and pprof with mutex and block profiling switched on.
package opshttp

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HealthFunc reports nil when the program can serve (e.g. its database answers).
type HealthFunc func(ctx context.Context) error

// EnableContentionProfiling turns on the mutex and block profiles the perf suite collects.
// Rates are sampled (1 in 100 mutex events, blocking events of 10 µs or more) to keep the overhead
// small under load while still showing where goroutines wait.
func EnableContentionProfiling() {
	runtime.SetMutexProfileFraction(100)
	runtime.SetBlockProfileRate(10_000)
}

// NewRegistry returns a registry with the Go runtime and process collectors registered.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler builds the operations mux. /debug/ routes (pprof, including cmdline) go through Guard
// with token; mount other debug routes (the mock platform's) through Guard too. log receives the
// reason of a failed health check.
func Handler(reg *prometheus.Registry, health HealthFunc, debugToken string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("/healthz", healthHandler(health, log))
	mux.Handle("/debug/pprof/", Guard(debugToken, http.HandlerFunc(pprof.Index)))
	mux.Handle("/debug/pprof/cmdline", Guard(debugToken, http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("/debug/pprof/profile", Guard(debugToken, http.HandlerFunc(pprof.Profile)))
	mux.Handle("/debug/pprof/symbol", Guard(debugToken, http.HandlerFunc(pprof.Symbol)))
	mux.Handle("/debug/pprof/trace", Guard(debugToken, http.HandlerFunc(pprof.Trace)))
	return mux
}

// healthHandler answers 200 or 503 with a fixed body. Why the check failed goes to the log only:
// a database error names hosts, users and databases, and the health port is not guarded.
func healthHandler(health HealthFunc, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := health(ctx); err != nil {
			log.Warn("health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unhealthy"}` + "\n"))
			return
		}
		_, _ = w.Write([]byte(`{"status":"healthy"}` + "\n"))
	})
}

// Guard protects a debug route (profiles and the command line reveal internals; a CPU profile
// costs CPU). With a token (OPS_DEBUG_TOKEN) a request must send "Authorization: Bearer <token>".
// Without one, only loopback and private-network clients are served: the perf suite reaches the
// ops port from inside its Docker network or through a published port (seen as the bridge
// gateway), never from a public address.
func Guard(token string, h http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", "Bearer")
				http.Error(w, "debug routes need the ops debug token", http.StatusUnauthorized)
				return
			}
		} else if !privateClient(r.RemoteAddr) {
			http.Error(w, "debug routes are served to loopback and private networks only (or set OPS_DEBUG_TOKEN)", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func privateClient(remote string) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	return a.IsLoopback() || a.IsPrivate()
}

// Server wraps Handler in an http.Server. Requests are bodiless GETs, so reading one is bounded
// tightly (a slow or idle client cannot hold a connection); writing is not, for profile downloads
// (a CPU profile takes its full duration to answer; pprof refuses one longer than WriteTimeout).
func Server(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}
