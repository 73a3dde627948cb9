// Package api serves the challenge service's REST API: routing, authentication of each request,
// the fast GET list renderer, the claim endpoint, health, and per-route metrics.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/auth"
	"github.com/challenge-perf/challenge-perf/service/internal/claims"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// ProgressLoader fills a (Reset) state with a user's stored facts in one round trip.
type ProgressLoader interface {
	Load(ctx context.Context, userID string, st *progress.State) error
}

// Claimer runs the claim state machine (claims.Service).
type Claimer interface {
	Claim(ctx context.Context, userID, challengeID, goalID string) (claims.Result, error)
}

// Config wires the handler's dependencies.
type Config struct {
	BasePath     string // e.g. "/challenge"; "" serves at the root
	Catalog      *challenges.Catalog
	Auth         auth.Authenticator
	Progress     ProgressLoader
	Claims       Claimer
	Players      Initializer
	Assignments  Assigner
	Namespace    string // the namespace recorded with a player's initialisation
	Health       func(ctx context.Context) error
	Registerer   prometheus.Registerer
	Logger       *slog.Logger
	QueryTimeout time.Duration // bound on the list's DB query; default 5s
}

type handler struct {
	cfg     Config
	model   *progress.Model
	list    *listBuilder
	states  statePool
	metrics *httpMetrics
	log     *slog.Logger
}

// New returns the API's http.Handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Catalog == nil || cfg.Auth == nil || cfg.Progress == nil || cfg.Claims == nil || cfg.Health == nil || cfg.Players == nil ||
		cfg.Assignments == nil {
		return nil, errors.New("api: Catalog, Auth, Progress, Claims, Players, Assignments and Health are required")
	}
	if cfg.BasePath != "" && (!strings.HasPrefix(cfg.BasePath, "/") || strings.HasSuffix(cfg.BasePath, "/")) {
		return nil, fmt.Errorf("api: base path %q must start and not end with '/'", cfg.BasePath)
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 5 * time.Second
	}
	m := progress.NewModel(cfg.Catalog)
	h := &handler{cfg: cfg, model: m, list: newListBuilder(cfg.Catalog, m), log: cfg.Logger}
	h.states.model = m
	var err error
	if h.metrics, err = newHTTPMetrics(cfg.Registerer, cfg.Logger); err != nil {
		return nil, err
	}
	return h.routes(), nil
}

func (h *handler) routes() http.Handler {
	mux := http.NewServeMux()
	base := h.cfg.BasePath
	handle := func(pattern string, f http.HandlerFunc) { mux.Handle(pattern, h.metrics.wrap(pattern, f)) }

	// Method-specific patterns win over the bare ones, which then answer 405 in JSON (the mux's
	// own 404/405 bodies are plain text).
	handle("GET "+base+"/v1/challenges", h.handleList)
	handle(base+"/v1/challenges", methodNotAllowed("GET, HEAD"))
	handle("POST "+base+"/v1/challenges/{challengeId}/goals/{goalId}/claim", h.handleClaim)
	handle(base+"/v1/challenges/{challengeId}/goals/{goalId}/claim", methodNotAllowed("POST"))
	handle("POST "+base+"/v1/challenges/initialize", h.handleInitialize)
	handle(base+"/v1/challenges/initialize", methodNotAllowed("POST"))
	handle("PUT "+base+"/v1/challenges/{challengeId}/goals/{goalId}/active", h.handleSetActive)
	handle(base+"/v1/challenges/{challengeId}/goals/{goalId}/active", methodNotAllowed("PUT"))
	// The reference's goal-selection and rotation calls (its later milestones): a clear 501, not a 404.
	for _, call := range []string{
		"POST /v1/challenges/{challengeId}/goals/batch-select",
		"POST /v1/challenges/{challengeId}/goals/random-select",
		"GET /v1/challenges/{challengeId}/rotation",
	} {
		method, path, _ := strings.Cut(call, " ")
		handle(method+" "+base+path, h.notImplemented(call))
	}
	handle("GET "+base+"/healthz", h.handleHealth)
	handle(base+"/healthz", methodNotAllowed("GET, HEAD"))
	if base != "" {
		handle("GET /healthz", h.handleHealth)
		handle("/healthz", methodNotAllowed("GET, HEAD"))
	}
	handle("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, CodeNotFound, "no such route")
	})
	return mux
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "method "+r.Method+" not allowed; use "+allow)
	}
}

// authenticate answers 401 itself when the request carries no valid identity.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	user, err := h.cfg.Auth.Authenticate(r)
	if err != nil {
		writeError(w, http.StatusUnauthorized, CodeUnauthorized, "missing or invalid credentials")
		return "", false
	}
	return user, true
}
