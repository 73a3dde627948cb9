package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/containers"
	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/service/internal/events/eventstest"
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
		// -short promises no Docker engine: the tests that need the containers skip (needContainers).
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
	login   accountv1.UserAuthenticationUserLoggedInServiceClient
	stat    statisticv1.StatisticStatItemUpdatedServiceClient
}

func startHandler(t testing.TB, env map[string]string) *handler {
	t.Helper()
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
	h.login = accountv1.NewUserAuthenticationUserLoggedInServiceClient(h.conn)
	h.stat = statisticv1.NewStatisticStatItemUpdatedServiceClient(h.conn)
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

// ev is one event the test sends and the model it is checked against.
type ev struct {
	id, user, code string // code "" = login
	value          float64
	at             time.Time
}

func (h *handler) send(ctx context.Context, e ev) error {
	if e.code == "" {
		_, err := h.login.OnMessage(ctx, &accountv1.UserLoggedIn{Id: e.id, UserId: e.user, Namespace: "test",
			Timestamp: e.at.Format(time.RFC3339Nano)})
		return err
	}
	_, err := h.stat.OnMessage(ctx, &statisticv1.StatItemUpdated{Id: e.id, UserId: e.user, Namespace: "test",
		Timestamp: e.at.Format(time.RFC3339Nano), Payload: &statisticv1.StatItem{StatCode: e.code, LatestValue: e.value}})
	return err
}

// sendAll sends events from 64 concurrent callers on the one connection, retrying the codes the
// platform retries (ResourceExhausted, Unavailable) until OK.
func (h *handler) sendAll(t *testing.T, evs []ev, refused *int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	work := make(chan ev)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for e := range work {
				for {
					err := h.send(ctx, e)
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

type want struct {
	stats       map[[2]string][2]float64 // (user, key) → (value, max)
	completions map[string][]string      // user → sorted goal ids
}

// model computes the exact expected state: logins counted once per id, stats last-writer-wins by
// event time (the later send wins a tie only in the test's shuffled order, so times are distinct),
// completions for every goal whose target the stat's maximum reached.
func model(evs []ev) want {
	w := want{stats: map[[2]string][2]float64{}, completions: map[string][]string{}}
	seen := map[string]bool{}
	latest := map[[2]string]time.Time{}
	for _, e := range evs {
		if seen[e.id] {
			continue
		}
		seen[e.id] = true
		if e.code == "" {
			k := [2]string{e.user, "@login"}
			s := w.stats[k]
			w.stats[k] = [2]float64{s[0] + 1, s[1] + 1}
			continue
		}
		k := [2]string{e.user, e.code}
		s, ok := w.stats[k]
		if !ok || e.at.After(latest[k]) {
			s[0], latest[k] = e.value, e.at
		}
		s[1] = max(s[1], e.value)
		w.stats[k] = s
	}
	for k, s := range w.stats {
		code := k[1]
		if code == "@login" {
			code = "login_count"
		}
		w.completions[k[0]] = append(w.completions[k[0]], eventstest.Reached(code, s[1])...)
	}
	for u := range w.completions {
		sort.Strings(w.completions[u])
		if len(w.completions[u]) == 0 {
			delete(w.completions, u)
		}
	}
	return w
}

func readState(t *testing.T, p *pgxpool.Pool) want {
	t.Helper()
	ctx := context.Background()
	got := want{stats: map[[2]string][2]float64{}, completions: map[string][]string{}}
	rows, err := p.Query(ctx, `SELECT user_id, stat_key, value, max_value FROM user_stats`)
	require.NoError(t, err)
	for rows.Next() {
		var u, k string
		var v, m float64
		require.NoError(t, rows.Scan(&u, &k, &v, &m))
		got.stats[[2]string{u, k}] = [2]float64{v, m}
	}
	require.NoError(t, rows.Err())
	// Completed goals as the view derives them; completed_at must come from crossed_at.
	rows, err = p.Query(ctx, `SELECT user_id, goal_id FROM user_goal_progress
		WHERE status IN ('completed', 'claimed') AND completed_at IS NOT NULL ORDER BY user_id, goal_id`)
	require.NoError(t, err)
	for rows.Next() {
		var u, g string
		require.NoError(t, rows.Scan(&u, &g))
		got.completions[u] = append(got.completions[u], g)
	}
	require.NoError(t, rows.Err())
	var mismatched int
	require.NoError(t, p.QueryRow(ctx, `SELECT count(*) FROM user_stats s JOIN stat_thresholds t USING (stat_key)
		WHERE cardinality(s.crossed_at) <> width_bucket(s.max_value, t.targets)`).Scan(&mismatched))
	require.Zero(t, mismatched, "crossed_at holds one time per threshold the maximum reached")
	return got
}

// workload makes n events over users: 20% logins, 80% stats with random values and event times
// sent out of order, plus redeliveries of 10% of them (same id).
func workload(n, users int, seed uint64) []ev {
	r := rand.New(rand.NewPCG(seed, 1))
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	codes := []string{"enemy_kills", "games_played", "headshots", "wins"}
	var evs []ev
	for i := range n {
		e := ev{id: "ev-" + strconv.FormatUint(seed, 10) + "-" + strconv.Itoa(i), user: fmt.Sprintf("user-%06d", r.IntN(users)+1),
			at: base.Add(time.Duration(r.IntN(3_600_000_000)) * time.Microsecond)}
		if r.IntN(5) > 0 {
			e.code, e.value = codes[r.IntN(4)], float64(r.IntN(600))
		}
		evs = append(evs, e)
	}
	for i := range n / 10 {
		evs = append(evs, evs[i*7%n])
	}
	r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	return evs
}

func requireState(t *testing.T, p *pgxpool.Pool, w want) {
	t.Helper()
	var got want
	require.Eventually(t, func() bool {
		got = readState(t, p)
		return len(got.stats) == len(w.stats) && equalStats(got.stats, w.stats)
	}, 30*time.Second, 50*time.Millisecond, "user_stats never matched")
	require.Equal(t, w.stats, got.stats)
	require.Equal(t, w.completions, got.completions)
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
			evs := workload(3000, 100, 1)
			refused := 0
			h.sendAll(t, evs, &refused)
			require.Zero(t, refused)
			w := model(evs)
			require.NotEmpty(t, w.completions)
			if mode == ackDurable {
				// The durable promise: every acknowledged event is already committed, exactly once.
				got := readState(t, p)
				require.Equal(t, w.stats, got.stats)
				require.Equal(t, w.completions, got.completions)
			}
			requireState(t, p, w)

			// A redelivery after the write is still recognised.
			require.NoError(t, h.send(context.Background(), evs[0]))
			time.Sleep(200 * time.Millisecond)
			require.Equal(t, model(evs).stats, readState(t, p).stats)

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
			evs := workload(1500, 200, 2)
			refused := 0
			h.sendAll(t, evs, &refused)
			<-restarted
			require.Positive(t, refused, "events that cannot be made durable are refused, not dropped")
			requireState(t, p, model(evs))
		})
	}
}

// SIGTERM with events pending and the flush far away (1 h): shutdown writes everything acknowledged
// (buffered) or commits and answers every call it took (durable).
func TestShutdownWritesEverything(t *testing.T) {
	t.Run(ackBuffered, func(t *testing.T) {
		h := startHandler(t, map[string]string{"ACK_MODE": ackBuffered, "BUFFER_FLUSH_INTERVAL": "1h"})
		p := pool(t)
		evs := workload(2000, 300, 3)
		refused := 0
		h.sendAll(t, evs, &refused)
		require.Zero(t, refused)
		require.Empty(t, readState(t, p).stats, "nothing flushed before shutdown")
		require.NoError(t, h.shutdown(t))
		w := model(evs)
		got := readState(t, p)
		require.Equal(t, w.stats, got.stats)
		require.Equal(t, w.completions, got.completions)
	})
	t.Run(ackDurable, func(t *testing.T) {
		h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "BUFFER_FLUSH_INTERVAL": "1h"})
		p := pool(t)
		evs := workload(300, 50, 3)
		answers := make(chan error, len(evs))
		for _, e := range evs {
			go func() { answers <- h.send(context.Background(), e) }()
		}
		require.Eventually(t, func() bool {
			return strings.Contains(metrics(t, h), fmt.Sprintf("\nbuffer_entries %d\n", len(evs)))
		}, 30*time.Second, 10*time.Millisecond, "every call waits in the open batch")
		require.Empty(t, readState(t, p).stats, "nothing committed before shutdown")
		h.stop() // SIGTERM, with the platform's connection still open for the answers
		for range evs {
			require.NoError(t, <-answers, "a call taken before SIGTERM is committed and acknowledged")
		}
		require.NoError(t, h.shutdown(t))
		w := model(evs)
		got := readState(t, p)
		require.Equal(t, w.stats, got.stats)
		require.Equal(t, w.completions, got.completions)
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
	err := h.send(context.Background(), ev{id: "e1", user: "u1", at: time.Now()})
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	resp, err := http.Get("http://" + h.opsAddr + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.NoError(t, h.shutdown(t))
	require.Empty(t, readState(t, pool(t)).stats)
}

// Durable mode's correctness does not depend on Redis, so it does not use it at all.
func TestDurableModeNeedsNoRedis(t *testing.T) {
	dead := deadAddr(t)
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "REDIS_ADDR": dead})
	require.NoError(t, h.send(context.Background(), ev{id: "e1", user: "u1", at: time.Now()}))
	require.Equal(t, [2]float64{1, 1}, readState(t, pool(t)).stats[[2]string{"u1", "@login"}])
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
				_, err = h.login.OnMessage(ctx, &accountv1.UserLoggedIn{Id: id, UserId: user, Namespace: "test"})
			} else {
				_, err = h.stat.OnMessage(ctx, &statisticv1.StatItemUpdated{Id: id, UserId: user, Namespace: "test",
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
	if fams, err := harness.Scrape(context.Background(), "http://"+h.opsAddr); err == nil {
		if n, sum, ok := harness.HistogramTotals(fams, "buffer_flush_entries"); ok && n > 0 {
			b.ReportMetric(sum/float64(n), "per-write")
		}
	}
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
