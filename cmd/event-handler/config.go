package main

import (
	"time"

	"github.com/challenge-perf/challenge-perf/internal/envconf"
	"github.com/challenge-perf/challenge-perf/internal/store"
)

// config is everything the event handler reads from its environment.
type config struct {
	CatalogPath string
	DB          store.Config
	Namespace   string
	RedisAddr   string
	GRPCAddr    string
	OpsAddr     string

	DedupeTTL     time.Duration
	RedisTimeout  time.Duration
	DedupeWindow  time.Duration
	DedupeBatch   int
	FlushInterval time.Duration
	BufferLimit   int
	FullWait      time.Duration
	FlushRows     int
	MaxStreams    int
	Shutdown      time.Duration
	LogLevel      string
}

func loadConfig(r *envconf.Reader) (config, error) {
	c := config{
		CatalogPath:   r.String("CHALLENGE_CONFIG_PATH", "/config/challenges.json"),
		DB:            store.ConfigFromEnv(r),
		Namespace:     r.String("AB_NAMESPACE", "test"),
		RedisAddr:     r.String("REDIS_ADDR", "localhost:6379"),
		GRPCAddr:      r.String("GRPC_ADDR", ":6565"),
		OpsAddr:       r.String("OPS_ADDR", ":8080"),
		DedupeTTL:     r.Duration("DEDUPE_TTL", 24*time.Hour, time.Second),
		RedisTimeout:  r.Duration("REDIS_TIMEOUT", time.Second, time.Millisecond),
		DedupeWindow:  r.Duration("DEDUPE_BATCH_WINDOW", time.Millisecond, time.Microsecond),
		DedupeBatch:   r.Int("DEDUPE_BATCH_SIZE", 256, 1, 10_000),
		FlushInterval: r.Duration("BUFFER_FLUSH_INTERVAL", time.Second, time.Millisecond),
		BufferLimit:   r.Int("BUFFER_SIZE_LIMIT", 100_000, 1, 100_000_000),
		FullWait:      r.Duration("BUFFER_FULL_WAIT", 20*time.Millisecond, 0),
		FlushRows:     r.Int("BUFFER_FLUSH_BATCH_ROWS", 10_000, 1, 1_000_000),
		MaxStreams:    r.Int("GRPC_MAX_CONCURRENT_STREAMS", 1000, 1, 1_000_000),
		Shutdown:      r.Duration("SHUTDOWN_TIMEOUT", 30*time.Second, time.Second),
		LogLevel:      r.String("LOG_LEVEL", "info"),
	}
	return c, r.Err()
}
