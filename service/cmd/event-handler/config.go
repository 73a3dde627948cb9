package main

import (
	"fmt"
	"time"

	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// Acknowledgement modes (ACK_MODE).
const (
	ackDurable  = "durable"  // OK only after the event's batch committed in PostgreSQL (default)
	ackBuffered = "buffered" // OK once in memory and marked in Redis; written up to one flush interval later
)

// config is everything the event handler reads from its environment.
type config struct {
	CatalogPath string
	DB          store.Config
	Namespace   string
	RedisAddr   string
	GRPCAddr    string
	OpsAddr     string
	AckMode     string

	OpsDebugToken string
	// TLSCert, TLSKey: PEM files for the gRPC port (both or neither).
	TLSCert, TLSKey string
	// MaxFutureSkew: how far ahead of our clock an event timestamp may lie.
	MaxFutureSkew time.Duration

	// Both modes: BUFFER_FLUSH_INTERVAL is the batch window (durable) or the flush period
	// (buffered); BUFFER_SIZE_LIMIT bounds events pending a commit (durable) or buffered keys.
	FlushInterval time.Duration
	BufferLimit   int
	FlushRows     int

	// Durable mode.
	CommitConcurrency int
	CommitTimeout     time.Duration
	Retention         time.Duration

	// Buffered mode.
	DedupeTTL    time.Duration
	RedisTimeout time.Duration
	DedupeWindow time.Duration
	DedupeBatch  int
	FullWait     time.Duration

	// gRPC port limits (server.go).
	MaxStreams       int
	MaxRecvBytes     int
	MaxConns         int
	MaxConnIdle      time.Duration
	KeepaliveTime    time.Duration
	KeepaliveTimeout time.Duration
	KeepaliveMinTime time.Duration
	Reflection       bool

	Shutdown time.Duration
	LogLevel string
}

// dbTimeouts are the defaults of DB_STATEMENT_TIMEOUT and DB_LOCK_TIMEOUT. The statement timeout
// stays below COMMIT_TIMEOUT (12 s), so the server gives a commit up before its client does and
// none can commit after its calls were refused. Row locks here are taken by the handler's own
// commits (COMMIT_CONCURRENCY batches, other replicas), which take milliseconds: waiting 5 s for
// one means a stuck lock (a long transaction, DDL), and giving up frees the commit slot for the
// next batch instead of holding it until the statement timeout.
var dbTimeouts = store.Timeouts{Statement: 10 * time.Second, Lock: 5 * time.Second}

func loadConfig(r *envconf.Reader) (config, error) {
	c := config{
		CatalogPath: r.String("CHALLENGE_CONFIG_PATH", "/config/challenges.json"),
		DB:          store.ConfigFromEnv(r, dbTimeouts),
		Namespace:   r.String("AB_NAMESPACE", "test"),
		RedisAddr:   r.String("REDIS_ADDR", "localhost:6379"),
		GRPCAddr:    r.String("GRPC_ADDR", ":6565"),
		OpsAddr:     r.String("OPS_ADDR", ":8080"),
		AckMode:     r.String("ACK_MODE", ackDurable),
	}
	c.OpsDebugToken = r.String("OPS_DEBUG_TOKEN", "")
	c.TLSCert = r.String("GRPC_TLS_CERT_PATH", "")
	c.TLSKey = r.String("GRPC_TLS_KEY_PATH", "")
	c.MaxFutureSkew = r.Duration("EVENT_MAX_FUTURE_SKEW", 5*time.Minute, time.Second)
	window := 2 * time.Millisecond
	if c.AckMode == ackBuffered {
		window = time.Second
	}
	c.FlushInterval = r.Duration("BUFFER_FLUSH_INTERVAL", window, 100*time.Microsecond)
	c.BufferLimit = r.Int("BUFFER_SIZE_LIMIT", 100_000, 1, 100_000_000)
	c.FlushRows = r.Int("BUFFER_FLUSH_BATCH_ROWS", 10_000, 1, 1_000_000)
	c.CommitConcurrency = r.Int("COMMIT_CONCURRENCY", 2, 1, 64)
	c.CommitTimeout = r.Duration("COMMIT_TIMEOUT", 12*time.Second, 10*time.Millisecond)
	c.Retention = r.Duration("APPLIED_EVENTS_RETENTION", time.Hour, time.Second)
	c.DedupeTTL = r.Duration("DEDUPE_TTL", 24*time.Hour, time.Second)
	c.RedisTimeout = r.Duration("REDIS_TIMEOUT", time.Second, time.Millisecond)
	c.DedupeWindow = r.Duration("DEDUPE_BATCH_WINDOW", time.Millisecond, time.Microsecond)
	c.DedupeBatch = r.Int("DEDUPE_BATCH_SIZE", 256, 1, 10_000)
	c.FullWait = r.Duration("BUFFER_FULL_WAIT", 20*time.Millisecond, 0)
	readGRPCLimits(r, &c)
	c.Shutdown = r.Duration("SHUTDOWN_TIMEOUT", 30*time.Second, time.Second)
	c.LogLevel = r.String("LOG_LEVEL", "info")
	if err := r.Err(); err != nil {
		return c, err
	}
	if err := c.DB.Check(); err != nil {
		return c, err
	}
	switch {
	case c.AckMode != ackDurable && c.AckMode != ackBuffered:
		return c, fmt.Errorf("ACK_MODE=%q: want %q (acknowledge after commit) or %q (acknowledge from memory)", c.AckMode, ackDurable, ackBuffered)
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return c, fmt.Errorf("GRPC_TLS_CERT_PATH and GRPC_TLS_KEY_PATH go together: set both or neither")
	case c.CommitTimeout <= c.DB.StatementTimeout:
		return c, fmt.Errorf("COMMIT_TIMEOUT (%s) must exceed DB_STATEMENT_TIMEOUT (%s): the server must give up on a statement before the client does, or an abandoned statement could still commit",
			c.CommitTimeout, c.DB.StatementTimeout)
	}
	return c, nil
}

// readGRPCLimits reads the gRPC port's limits. Events are a few hundred bytes and the platform
// multiplexes up to 500 calls on one connection, so the defaults leave ample room for it while
// bounding what any other caller can make the process hold.
func readGRPCLimits(r *envconf.Reader, c *config) {
	c.MaxStreams = r.Int("GRPC_MAX_CONCURRENT_STREAMS", 1000, 1, 1_000_000)
	c.MaxRecvBytes = r.Int("GRPC_MAX_RECV_MSG_BYTES", 64<<10, 1<<10, 64<<20)
	c.MaxConns = r.Int("GRPC_MAX_CONNECTIONS", 100, 1, 100_000)
	c.MaxConnIdle = r.Duration("GRPC_MAX_CONNECTION_IDLE", 5*time.Minute, 0)
	c.KeepaliveTime = r.Duration("GRPC_KEEPALIVE_TIME", time.Minute, time.Second)
	c.KeepaliveTimeout = r.Duration("GRPC_KEEPALIVE_TIMEOUT", 20*time.Second, time.Second)
	c.KeepaliveMinTime = r.Duration("GRPC_KEEPALIVE_MIN_TIME", 10*time.Second, time.Second)
	c.Reflection = r.Bool("GRPC_REFLECTION", false)
}
