package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/service/internal/claims"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// config is everything the service reads from the environment (documented in README.md).
type config struct {
	DB              store.Config
	DBConnectWait   time.Duration
	CatalogPath     string
	BasePath        string
	HTTPAddr        string
	OpsAddr         string
	OpsDebugToken   string
	Namespace       string
	AuthEnabled     bool
	MockIdentity    bool
	JWTPublicKey    string
	JWKSPath        string
	JWKSURL         string
	JWKSRefresh     time.Duration
	JWKSMinRefresh  time.Duration
	JWTIssuer       string
	JWTAudience     string
	JWTLeeway       time.Duration
	JWTCacheSize    int
	MockAGS         bool
	MockLatencyMin  time.Duration
	MockLatencyMax  time.Duration
	MockFailureRate float64
	AGSBaseURL      string
	AGSAccessToken  string
	RewardTimeout   time.Duration
	RewardAttempts  int
	ClaimStaleAfter time.Duration
	ClaimReconcile  time.Duration
	ShutdownTimeout time.Duration
	LogLevel        slog.Level
	LogFormat       string

	// RewardIdempotentRetries (REWARD_IDEMPOTENT_RETRIES): the platform honours Idempotency-Key,
	// so a grant whose outcome is unknown may be repeated (REWARD_ATTEMPTS > 1).
	RewardIdempotentRetries bool
}

// claimFinishTimeout bounds recording a claim's outcome; CLAIM_STALE_AFTER must leave room for it.
const claimFinishTimeout = 5 * time.Second

// dbTimeouts are the defaults of DB_STATEMENT_TIMEOUT and DB_LOCK_TIMEOUT. Every statement the
// service runs is a primary-key read or a one-row write, done in milliseconds: 5 s (the list's and
// a claim step's own client bounds) only ends backends whose client is gone. A lock wait of 2 s
// means a stuck lock; giving up then leaves recording a claim's outcome (retried within its 5 s)
// time for another try.
var dbTimeouts = store.Timeouts{Statement: 5 * time.Second, Lock: 2 * time.Second}

func loadConfig(r *envconf.Reader) (config, error) {
	c := config{
		DB:              store.ConfigFromEnv(r, dbTimeouts),
		DBConnectWait:   r.Duration("DB_CONNECT_TIMEOUT", 60*time.Second, time.Second),
		CatalogPath:     r.String("CHALLENGE_CONFIG_PATH", "/config/challenges.json"),
		BasePath:        r.String("BASE_PATH", "/challenge"),
		HTTPAddr:        r.String("HTTP_ADDR", ":8000"),
		OpsAddr:         r.String("OPS_ADDR", ":8080"),
		OpsDebugToken:   r.String("OPS_DEBUG_TOKEN", ""),
		Namespace:       r.String("AB_NAMESPACE", "test"),
		AuthEnabled:     r.Bool("PLUGIN_GRPC_SERVER_AUTH_ENABLED", true),
		MockIdentity:    r.Bool("MOCK_IDENTITY", false),
		JWTPublicKey:    r.String("JWT_PUBLIC_KEY_PATH", ""),
		JWKSPath:        r.String("JWKS_PATH", ""),
		JWKSURL:         r.String("JWKS_URL", ""),
		JWKSRefresh:     r.Duration("JWKS_REFRESH_INTERVAL", time.Hour, time.Second),
		JWKSMinRefresh:  r.Duration("JWKS_MIN_REFRESH_INTERVAL", time.Minute, time.Second),
		JWTIssuer:       r.String("JWT_ISSUER", ""),
		JWTAudience:     r.String("JWT_AUDIENCE", ""),
		JWTLeeway:       r.Duration("JWT_LEEWAY", 30*time.Second, 0),
		JWTCacheSize:    r.Int("JWT_CACHE_SIZE", 100_000, 0, 10_000_000),
		MockAGS:         r.Bool("MOCK_AGS", false),
		MockLatencyMin:  time.Duration(r.Int("MOCK_AGS_LATENCY_MIN_MS", 50, 0, 600_000)) * time.Millisecond,
		MockLatencyMax:  time.Duration(r.Int("MOCK_AGS_LATENCY_MAX_MS", 200, 0, 600_000)) * time.Millisecond,
		MockFailureRate: r.Float("MOCK_AGS_FAILURE_RATE", 0, 0, 1),
		AGSBaseURL:      r.String("AGS_BASE_URL", ""),
		AGSAccessToken:  r.String("AGS_ACCESS_TOKEN", ""),
		RewardTimeout:   r.Duration("REWARD_TIMEOUT", 10*time.Second, time.Millisecond),
		ClaimStaleAfter: r.Duration("CLAIM_STALE_AFTER", 60*time.Second, time.Second),
		ClaimReconcile:  r.Duration("CLAIM_RECONCILE_INTERVAL", 10*time.Second, 0),
		ShutdownTimeout: r.Duration("SHUTDOWN_TIMEOUT", 15*time.Second, 0),
		LogFormat:       strings.ToLower(r.String("LOG_FORMAT", "json")),
	}
	// Claims (issue 23.7): repeating a grant whose answer was lost pays twice unless the platform
	// honours Idempotency-Key, so REWARD_ATTEMPTS is 1 unless it does (the mock declares it does).
	c.RewardIdempotentRetries = r.Bool("REWARD_IDEMPOTENT_RETRIES", c.MockAGS && reward.MockHonoursIdempotencyKey)
	defaultAttempts := 1
	if c.RewardIdempotentRetries {
		defaultAttempts = 3
	}
	c.RewardAttempts = r.Int("REWARD_ATTEMPTS", defaultAttempts, 1, 10)
	var errs []string
	if err := r.Err(); err != nil {
		errs = append(errs, strings.TrimPrefix(err.Error(), "invalid configuration: "))
	}
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if err := c.DB.Check(); err != nil {
		bad("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}

	if err := c.LogLevel.UnmarshalText([]byte(r.String("LOG_LEVEL", "info"))); err != nil {
		bad("LOG_LEVEL: want debug, info, warn or error")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT=%q: want json or text", c.LogFormat)
	}
	if c.BasePath == "/" {
		c.BasePath = ""
	}
	if c.BasePath != "" && (!strings.HasPrefix(c.BasePath, "/") || strings.HasSuffix(c.BasePath, "/") ||
		strings.ContainsAny(c.BasePath, " {}?#")) {
		bad("BASE_PATH=%q: want a path like /challenge (leading '/', no trailing '/')", c.BasePath)
	}
	for _, a := range [][2]string{{"HTTP_ADDR", c.HTTPAddr}, {"OPS_ADDR", c.OpsAddr}} {
		if _, _, err := net.SplitHostPort(a[1]); err != nil {
			bad("%s=%q: want host:port or :port", a[0], a[1])
		}
	}
	if c.HTTPAddr == c.OpsAddr {
		bad("HTTP_ADDR and OPS_ADDR must differ")
	}
	if c.Namespace == "" {
		bad("AB_NAMESPACE must not be empty")
	}
	if c.AuthEnabled {
		n := 0
		for _, v := range []string{c.JWTPublicKey, c.JWKSPath, c.JWKSURL} {
			if v != "" {
				n++
			}
		}
		switch {
		case n == 0:
			bad("auth is enabled (PLUGIN_GRPC_SERVER_AUTH_ENABLED) but none of JWT_PUBLIC_KEY_PATH, JWKS_PATH, JWKS_URL is set")
		case n > 1:
			bad("set only one of JWT_PUBLIC_KEY_PATH, JWKS_PATH and JWKS_URL")
		}
		if c.JWKSURL != "" {
			if u, err := url.Parse(c.JWKSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad("JWKS_URL=%q: want an http(s) URL", c.JWKSURL)
			}
		}
		if c.MockIdentity {
			bad("MOCK_IDENTITY=true contradicts PLUGIN_GRPC_SERVER_AUTH_ENABLED=true: mock identity (X-Mock-User-Id) needs auth off")
		}
	} else {
		// Auth off alone must not turn a header into the identity: a deployment that merely forgot
		// a key would serve any caller as any user. Mock identity is asked for by its own setting.
		if !c.MockIdentity {
			bad("PLUGIN_GRPC_SERVER_AUTH_ENABLED=false needs MOCK_IDENTITY=true (callers named by X-Mock-User-Id, no token): set both to run without auth, or configure a key")
		}
		// Without auth any caller can act as any user: tolerable against the mock platform in a
		// load test, never where real rewards are granted.
		if !c.MockAGS {
			bad("PLUGIN_GRPC_SERVER_AUTH_ENABLED=false lets any caller act as any user and is only allowed with the mock reward platform (MOCK_AGS=true)")
		}
	}
	if c.MockLatencyMin > c.MockLatencyMax {
		bad("MOCK_AGS_LATENCY_MIN_MS (%d) exceeds MOCK_AGS_LATENCY_MAX_MS (%d)", c.MockLatencyMin.Milliseconds(), c.MockLatencyMax.Milliseconds())
	}
	if !c.MockAGS {
		u, err := url.Parse(c.AGSBaseURL)
		if c.AGSBaseURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("MOCK_AGS=false needs AGS_BASE_URL, an http(s) URL (got %q)", c.AGSBaseURL)
		}
	}
	if live := time.Duration(c.RewardAttempts)*c.RewardTimeout + claimFinishTimeout; c.ClaimStaleAfter <= live {
		bad("CLAIM_STALE_AFTER (%s) must exceed REWARD_ATTEMPTS × REWARD_TIMEOUT (%d × %s) + %s, or a live claim could be taken over",
			c.ClaimStaleAfter, c.RewardAttempts, c.RewardTimeout, claimFinishTimeout)
	}
	if c.RewardAttempts > 1 && !c.RewardIdempotentRetries {
		bad("REWARD_ATTEMPTS=%d repeats a grant whose outcome is unknown, which pays twice unless the platform honours Idempotency-Key: "+
			"set REWARD_IDEMPOTENT_RETRIES=true if it does, else REWARD_ATTEMPTS=1", c.RewardAttempts)
	}
	// The claim route's answer may take the claim's worst case plus a margin to write it (its write
	// deadline is set from that, past the server's WriteTimeout); beyond claims.MaxResponseTime
	// clients give up first.
	cc := claims.Config{RewardTimeout: c.RewardTimeout, RewardAttempts: c.RewardAttempts, FinishTimeout: claimFinishTimeout}
	if w := cc.WorstCase(); w+claims.ResponseMargin > claims.MaxResponseTime {
		bad("worst-case claim (%s: 2 × %s + REWARD_ATTEMPTS × REWARD_TIMEOUT (%d × %s) + backoff) + %s to answer exceeds %s: lower REWARD_TIMEOUT or REWARD_ATTEMPTS",
			w, claimFinishTimeout, c.RewardAttempts, c.RewardTimeout, claims.ResponseMargin, claims.MaxResponseTime)
	}
	if len(errs) > 0 {
		return c, errors.New("invalid configuration: " + strings.Join(errs, "; "))
	}
	return c, nil
}
