package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/contract/eventstest"
	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
	"github.com/challenge-perf/challenge-perf/envconf"
)

// Shared containers for the package (fixed host ports so PostgreSQL can be stopped and started).
var (
	pg        *containers.PostgresContainer
	redisAddr string
	dsn       string
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// -short promises no Docker engine: the tests that need the containers skip (startHandler).
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	var err error
	pg, err = containers.RunPostgres(ctx, containers.WithFixedHostPort("5432/tcp"))
	if err == nil {
		dsn, err = pg.ConnString(ctx)
	}
	var rd *containers.RedisContainer
	if err == nil {
		rd, err = containers.RunRedis(ctx)
	}
	if err == nil {
		redisAddr, err = rd.Addr(ctx)
	}
	cancel()
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "containers:", err)
	} else {
		code = m.Run()
	}
	if pg != nil {
		_ = pg.Terminate(context.Background())
	}
	if rd != nil {
		_ = rd.Terminate(context.Background())
	}
	os.Exit(code)
}

// handler is one run() of the event handler on loopback ports.
type handler struct {
	stop    context.CancelFunc
	done    chan error
	conn    *grpc.ClientConn
	opsAddr string
	eventstest.Client
}

// startHandler runs the handler on the package's containers; under -short (no Docker engine) it
// skips the test instead.
func startHandler(t testing.TB, env map[string]string) *handler {
	t.Helper()
	containers.SkipShort(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	catalog := filepath.Join(t.TempDir(), "challenges.json")
	require.NoError(t, os.WriteFile(catalog, eventstest.FixtureJSON(), 0o644))
	base := map[string]string{
		"CHALLENGE_CONFIG_PATH": catalog, "DB_HOST": u.Hostname(), "DB_PORT": u.Port(),
		"DB_NAME": containers.PostgresDB, "DB_USER": containers.PostgresUser, "DB_PASSWORD": containers.PostgresPassword,
		"DB_MAX_OPEN_CONNS": "4", "DB_MAX_IDLE_CONNS": "1",
		"REDIS_ADDR": redisAddr, "GRPC_ADDR": "127.0.0.1:0", "OPS_ADDR": "127.0.0.1:0",
		"SHUTDOWN_TIMEOUT": "20s", "REDIS_TIMEOUT": "300ms",
	}
	if env["ACK_MODE"] == ackBuffered {
		base["BUFFER_FLUSH_INTERVAL"] = "50ms"
	}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := loadConfig(envconf.FromMap(base))
	require.NoError(t, err)

	truncate(t)
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan [2]net.Addr, 1)
	h := &handler{stop: cancel, done: make(chan error, 1)}
	go func() {
		h.done <- run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(g, o net.Addr) { addrs <- [2]net.Addr{g, o} })
	}()
	select {
	case a := <-addrs:
		h.opsAddr = a[1].String()
		h.conn, err = grpc.NewClient(a[0].String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		require.NoError(t, err)
	case err := <-h.done:
		t.Fatalf("run: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("handler did not start")
	}
	h.Client = eventstest.NewClient(h.conn)
	t.Cleanup(func() { h.shutdown(t) })
	return h
}

// shutdown is what SIGTERM does: cancel run's context and wait for it to return.
func (h *handler) shutdown(t testing.TB) error {
	t.Helper()
	if h.conn == nil {
		return nil
	}
	h.stop()
	_ = h.conn.Close()
	h.conn = nil
	select {
	case err := <-h.done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("run did not return")
		return nil
	}
}

func pool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

func truncate(t testing.TB) {
	t.Helper()
	p, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	defer p.Close(context.Background())
	// Absent on first start: run migrates.
	_, _ = p.Exec(context.Background(), `TRUNCATE user_stats`)
	_, _ = p.Exec(context.Background(), `TRUNCATE applied_events`)
}

// sendAll sends events from 64 concurrent callers on the one connection, retrying the codes the
// platform retries (ResourceExhausted, Unavailable) until OK.
func (h *handler) sendAll(t *testing.T, evs []eventstest.Event, refused *int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	work := make(chan eventstest.Event)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for e := range work {
				for {
					err := h.Send(ctx, e)
					if err == nil {
						break
					}
					c := status.Code(err)
					require.Contains(t, []codes.Code{codes.ResourceExhausted, codes.Unavailable}, c, "%v", err)
					mu.Lock()
					*refused++
					mu.Unlock()
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	for _, e := range evs {
		work <- e
	}
	close(work)
	wg.Wait()
}

func requireState(t *testing.T, p *pgxpool.Pool, w eventstest.State) {
	t.Helper()
	var got eventstest.State
	require.Eventually(t, func() bool {
		got = eventstest.ReadState(t, p)
		return len(got.Stats) == len(w.Stats) && equalStats(got.Stats, w.Stats)
	}, 30*time.Second, 50*time.Millisecond, "user_stats never matched")
	require.Equal(t, w.Stats, got.Stats)
	require.Equal(t, w.Completions, got.Completions)
}

func equalStats(a, b map[[2]string][2]float64) bool {
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

var modes = []string{ackDurable, ackBuffered}

func TestEventsEndToEnd(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := startHandler(t, map[string]string{"ACK_MODE": mode})
			p := pool(t)
			evs := eventstest.Workload(3000, 100, 1)
			refused := 0
			h.sendAll(t, evs, &refused)
			require.Zero(t, refused)
			w := eventstest.Model(evs)
			require.NotEmpty(t, w.Completions)
			if mode == ackDurable {
				// The durable promise: every acknowledged event is already committed, exactly once.
				got := eventstest.ReadState(t, p)
				require.Equal(t, w.Stats, got.Stats)
				require.Equal(t, w.Completions, got.Completions)
			}
			requireState(t, p, w)

			// A redelivery after the write is still recognised.
			require.NoError(t, h.Send(context.Background(), evs[0]))
			time.Sleep(200 * time.Millisecond)
			require.Equal(t, eventstest.Model(evs).Stats, eventstest.ReadState(t, p).Stats)

			// The gRPC extras the platform and operators use.
			hc, err := healthpb.NewHealthClient(h.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
			require.NoError(t, err)
			require.Equal(t, healthpb.HealthCheckResponse_SERVING, hc.Status)
			resp, err := http.Get("http://" + h.opsAddr + "/healthz")
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			body := metrics(t, h)
			require.Contains(t, body, "buffer_flush_duration_seconds_bucket")
			if mode == ackBuffered {
				require.Contains(t, body, `events_total{outcome="duplicate",type="stat"}`)
			} else {
				require.Regexp(t, `(?m)^events_duplicate_applied_ids_total [1-9]`, body, "redelivered logins are recognised")
			}
		})
	}
}

func metrics(t *testing.T, h *handler) string {
	t.Helper()
	resp, err := http.Get("http://" + h.opsAddr + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return string(body)
}

// PostgreSQL stops while events arrive. Durable mode refuses them with UNAVAILABLE (nothing was
// acknowledged); buffered mode acknowledges them while the buffer has room and then refuses with
// RESOURCE_EXHAUSTED. Either way the platform redelivers, and after PostgreSQL returns every event
// is stored exactly once.
func TestPostgresOutageLosesNothing(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := startHandler(t, map[string]string{"ACK_MODE": mode, "BUFFER_SIZE_LIMIT": "60", "BUFFER_FULL_WAIT": "5ms"})
			p := pool(t)
			ctx := context.Background()
			timeout := 10 * time.Second
			require.NoError(t, pg.Stop(ctx, &timeout))
			restarted := make(chan struct{})
			go func() {
				defer close(restarted)
				time.Sleep(2 * time.Second)
				if err := pg.Start(ctx); err != nil {
					t.Errorf("start postgres: %v", err)
				}
			}()
			evs := eventstest.Workload(1500, 200, 2)
			refused := 0
			h.sendAll(t, evs, &refused)
			<-restarted
			require.Positive(t, refused, "events that cannot be made durable are refused, not dropped")
			requireState(t, p, eventstest.Model(evs))
		})
	}
}

// SIGTERM with events pending and the flush far away (1 h): shutdown writes everything acknowledged
// (buffered) or commits and answers every call it took (durable).
func TestShutdownWritesEverything(t *testing.T) {
	t.Run(ackBuffered, func(t *testing.T) {
		h := startHandler(t, map[string]string{"ACK_MODE": ackBuffered, "BUFFER_FLUSH_INTERVAL": "1h"})
		p := pool(t)
		evs := eventstest.Workload(2000, 300, 3)
		refused := 0
		h.sendAll(t, evs, &refused)
		require.Zero(t, refused)
		require.Empty(t, eventstest.ReadState(t, p).Stats, "nothing flushed before shutdown")
		require.NoError(t, h.shutdown(t))
		w := eventstest.Model(evs)
		got := eventstest.ReadState(t, p)
		require.Equal(t, w.Stats, got.Stats)
		require.Equal(t, w.Completions, got.Completions)
	})
	t.Run(ackDurable, func(t *testing.T) {
		h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "COMMIT_WINDOW": "1h", "COMMIT_WINDOW_ALLOW_LONG": "true"})
		p := pool(t)
		evs := eventstest.Workload(300, 50, 3)
		answers := make(chan error, len(evs))
		for _, e := range evs {
			go func() { answers <- h.Send(context.Background(), e) }()
		}
		require.Eventually(t, func() bool {
			return strings.Contains(metrics(t, h), fmt.Sprintf("\nbuffer_entries %d\n", len(evs)))
		}, 30*time.Second, 10*time.Millisecond, "every call waits in the open batch")
		require.Empty(t, eventstest.ReadState(t, p).Stats, "nothing committed before shutdown")
		h.stop() // SIGTERM, with the platform's connection still open for the answers
		for range evs {
			require.NoError(t, <-answers, "a call taken before SIGTERM is committed and acknowledged")
		}
		require.NoError(t, h.shutdown(t))
		w := eventstest.Model(evs)
		got := eventstest.ReadState(t, p)
		require.Equal(t, w.Stats, got.Stats)
		require.Equal(t, w.Completions, got.Completions)
	})
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestRedisDownIsUnavailableInBufferedMode(t *testing.T) {
	dead := deadAddr(t)
	h := startHandler(t, map[string]string{"ACK_MODE": ackBuffered, "REDIS_ADDR": dead})
	err := h.Send(context.Background(), eventstest.Event{ID: "e1", User: "u1", At: time.Now()})
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	resp, err := http.Get("http://" + h.opsAddr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.NoError(t, h.shutdown(t))
	require.Empty(t, eventstest.ReadState(t, pool(t)).Stats)
}

// Durable mode's correctness does not depend on Redis, so it does not use it at all.
func TestDurableModeNeedsNoRedis(t *testing.T) {
	dead := deadAddr(t)
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "REDIS_ADDR": dead})
	require.NoError(t, h.Send(context.Background(), eventstest.Event{ID: "e1", User: "u1", At: time.Now()}))
	require.Equal(t, [2]float64{1, 1}, eventstest.ReadState(t, pool(t)).Stats[[2]string{"u1", "@login"}])
}

func TestConfigRefusesAClientTimeoutBelowTheServers(t *testing.T) {
	_, err := loadConfig(envconf.FromMap(map[string]string{"DB_STATEMENT_TIMEOUT": "5s", "COMMIT_TIMEOUT": "5s"}))
	require.ErrorContains(t, err, "COMMIT_TIMEOUT (5s) must exceed DB_STATEMENT_TIMEOUT (5s)")
	_, err = loadConfig(envconf.FromMap(map[string]string{"ACK_MODE": "fast"}))
	require.ErrorContains(t, err, `ACK_MODE="fast"`)
	c, err := loadConfig(envconf.FromMap(nil))
	require.NoError(t, err)
	require.Equal(t, []any{ackDurable, 2 * time.Millisecond}, []any{c.AckMode, c.FlushInterval})
	c, err = loadConfig(envconf.FromMap(map[string]string{"ACK_MODE": ackBuffered}))
	require.NoError(t, err)
	require.Equal(t, time.Second, c.FlushInterval, "buffered mode keeps the spec's 1 s flush interval")
}

// BenchmarkGRPCIngest drives the whole handler (gRPC on loopback, Redis de-dup, buffer, flushes to
// PostgreSQL) with 500 concurrent calls on one connection, like the platform. Client and server
// share this process, so with -cpu 1 the number is a pessimistic bound for a 1-CPU server.
func BenchmarkGRPCIngest(b *testing.B) {
	for _, mode := range modes {
		b.Run(mode, func(b *testing.B) { benchGRPCIngest(b, mode) })
	}
}

func benchGRPCIngest(b *testing.B, mode string) {
	h := startHandler(b, map[string]string{"LOG_LEVEL": "error", "ACK_MODE": mode})
	users := make([]string, 10_000)
	for i := range users {
		users[i] = fmt.Sprintf("user-%06d", i+1)
	}
	codes := []string{"enemy_kills", "games_played", "headshots", "wins"}
	prefix := strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	var n atomic.Int64
	ctx := context.Background()
	lat := &latencies{}
	b.SetParallelism(max(1, 500/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			i := n.Add(1)
			id := prefix + strconv.FormatInt(i, 10)
			user := users[i*7919%int64(len(users))]
			var err error
			if i%5 == 0 {
				_, err = h.Login.OnMessage(ctx, &accountv1.UserLoggedIn{Id: id, UserId: user, Namespace: "test"})
			} else {
				_, err = h.Stat.OnMessage(ctx, &statisticv1.StatItemUpdated{Id: id, UserId: user, Namespace: "test",
					Payload: &statisticv1.StatItem{StatCode: codes[i%4], LatestValue: float64(i % 1000)}})
			}
			if err != nil {
				b.Error(err)
				return
			}
			lat.record(time.Since(t0))
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(lat.quantile(0.99).Seconds()*1000, "p99-ms")
	// Durable mode: events per committed batch; buffered mode: rows per flush so far.
	if n, sum, ok := histogramTotals(h, "buffer_flush_entries"); ok && n > 0 {
		b.ReportMetric(sum/float64(n), "per-write")
	}
}

// histogramTotals is a histogram's total count and sum in the handler's /metrics; ok is false
// when the page cannot be read or parsed or has no such family.
func histogramTotals(h *handler, name string) (count uint64, sum float64, ok bool) {
	resp, err := http.Get("http://" + h.opsAddr + "/metrics")
	if err != nil {
		return 0, 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, false
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil || fams[name] == nil {
		return 0, 0, false
	}
	for _, m := range fams[name].Metric {
		if hist := m.Histogram; hist != nil {
			count += hist.GetSampleCount()
			sum += hist.GetSampleSum()
		}
	}
	return count, sum, true
}

// latencies collects call durations from RunParallel's goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) record(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return l.d[min(len(l.d)-1, int(q*float64(len(l.d))))]
}
