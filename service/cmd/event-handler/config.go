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

	// FlushInterval is the pipeline's period, read from the mode's own variable (readPeriod):
	// COMMIT_WINDOW, durable mode's batch window (2 ms), or BUFFER_FLUSH_INTERVAL, buffered mode's
	// flush period (the spec's 1 s). BUFFER_SIZE_LIMIT bounds events pending a commit (durable) or
	// buffered keys.
	FlushInterval time.Duration
	BufferLimit   int
	FlushRows     int
	// AllowLongWindow: COMMIT_WINDOW_ALLOW_LONG, accept a window above maxCommitWindow.
	AllowLongWindow bool
	// warnings are logged at start (run): settings accepted that probably do not do what was meant.
	warnings []string

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
	readPeriod(r, &c)
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
	case c.AckMode == ackDurable && c.FlushInterval > maxCommitWindow && !c.AllowLongWindow:
		return c, fmt.Errorf("COMMIT_WINDOW=%s: above %s the batch window dominates every acknowledgement's latency (the event opening a batch waits all of it before its commit, more than the event p95 target of %s by itself); set COMMIT_WINDOW_ALLOW_LONG=true to run with it anyway",
			c.FlushInterval, maxCommitWindow, maxCommitWindow)
	case c.CommitTimeout <= c.DB.StatementTimeout:
		return c, fmt.Errorf("COMMIT_TIMEOUT (%s) must exceed DB_STATEMENT_TIMEOUT (%s): the server must give up on a statement before the client does, or an abandoned statement could still commit",
			c.CommitTimeout, c.DB.StatementTimeout)
	}
	return c, nil
}

// maxCommitWindow is the longest COMMIT_WINDOW accepted without COMMIT_WINDOW_ALLOW_LONG=true. A
// durable acknowledgement waits for its batch to close, then for the commit: the event that opens
// a batch waits the whole window. 50 ms is the event p95 target of the durability work (10,000 EPS
// with p95 < 50 ms, docs/DESIGN_STORAGE.md), so a longer window alone misses it; the default 2 ms
// already gives batches of 50-120 events under load (measured there). The likely way to get a long
// one is a value meant for buffered mode's flush period (1 s).
const maxCommitWindow = 50 * time.Millisecond

// readPeriod reads the pipeline's period from the mode's own variable. BUFFER_FLUSH_INTERVAL used
// to be both the durable batch window and the buffered flush period (issue 23, item 8); now
// durable mode reads COMMIT_WINDOW only. Set alone in durable mode, BUFFER_FLUSH_INTERVAL is a
// warning, not an error: it no longer changes anything there. Set beside COMMIT_WINDOW it is quiet
// (the perf stack passes both, for handler images built before the split).
func readPeriod(r *envconf.Reader, c *config) {
	window := r.Duration("COMMIT_WINDOW", 2*time.Millisecond, 100*time.Microsecond)
	flush := r.Duration("BUFFER_FLUSH_INTERVAL", time.Second, 100*time.Microsecond)
	c.AllowLongWindow = r.Bool("COMMIT_WINDOW_ALLOW_LONG", false)
	windowSet, flushSet := r.String("COMMIT_WINDOW", "") != "", r.String("BUFFER_FLUSH_INTERVAL", "") != ""
	if c.AckMode == ackBuffered {
		c.FlushInterval = flush
		if windowSet {
			c.warnings = append(c.warnings, "COMMIT_WINDOW is durable mode's batch window and is ignored with ACK_MODE=buffered; its flush period is BUFFER_FLUSH_INTERVAL (now "+flush.String()+")")
		}
		return
	}
	c.FlushInterval = window
	if flushSet && !windowSet {
		c.warnings = append(c.warnings, "BUFFER_FLUSH_INTERVAL="+r.String("BUFFER_FLUSH_INTERVAL", "")+
			" no longer sets durable mode's batch window: it is buffered mode's flush period only. The window is COMMIT_WINDOW (now "+
			window.String()+"); set COMMIT_WINDOW instead")
	}
	if window > maxCommitWindow && c.AllowLongWindow {
		c.warnings = append(c.warnings, "COMMIT_WINDOW="+window.String()+" (COMMIT_WINDOW_ALLOW_LONG=true): every durable acknowledgement may wait that long for its batch to close, before its commit")
	}
}

// periodKey names FlushInterval in logs: what it is in this mode.
func (c config) periodKey() string {
	if c.AckMode == ackBuffered {
		return "flush_interval"
	}
	return "commit_window"
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
