package events

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
	"github.com/challenge-perf/challenge-perf/service/internal/dedupe"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// memDedupe is an in-memory Deduper.
type memDedupe struct {
	mu     sync.Mutex
	seen   map[string]bool
	err    error
	claims int
}

func (d *memDedupe) Claim(_ context.Context, id string) (dedupe.Claim, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.claims++
	if d.err != nil {
		return dedupe.Claim{}, d.err
	}
	if d.seen[id] {
		return dedupe.Claim{}, nil
	}
	d.seen[id] = true
	return dedupe.Claim{Fresh: true}, nil
}

func (d *memDedupe) Forget(_ context.Context, id string, _ dedupe.Claim) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, id)
	return nil
}

type fixture struct {
	h   *Handler
	buf *buffer.Buffer
	dd  *memDedupe
	m   *Metrics
}

func newFixture(t testing.TB, limit int) *fixture {
	buf := buffer.New(limit)
	dd := &memDedupe{seen: map[string]bool{}}
	m := NewMetrics(nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := NewHandler(Config{Namespace: "test"}, fixtureCatalog(t), &BufferedSink{Buf: buf, Dedupe: dd, Log: log}, m, log)
	h.now = func() time.Time { return now }
	return &fixture{h: h, buf: buf, dd: dd, m: m}
}

func statMsg(id, user, code string, v float64, ts string) *statisticv1.StatItemUpdated {
	return &statisticv1.StatItemUpdated{Id: id, UserId: user, Namespace: "test", Timestamp: ts,
		Payload: &statisticv1.StatItem{StatCode: code, LatestValue: v}}
}

func loginMsg(id, user string) *accountv1.UserLoggedIn {
	return &accountv1.UserLoggedIn{Id: id, UserId: user, Namespace: "test"}
}

func code(err error) codes.Code { return status.Code(err) }

func TestMapping(t *testing.T) {
	ev, err := mapLogin(&accountv1.UserLoggedIn{Id: "e1", Namespace: "test",
		Payload: &accountv1.UserLoggedInPayload{UserAccount: &accountv1.UserAccount{UserId: "u-payload"}}}, now, time.Hour)
	require.NoError(t, err)
	require.Equal(t, statstore.Update{Key: statstore.Key{UserID: "u-payload", StatKey: "@login"}, Namespace: "test",
		Value: 1, EventID: "e1", Additive: true}, ev.update, "login: +1 on @login, user from payload when top-level is empty, no timestamp: zero time")

	ev, err = mapStat(&statisticv1.StatItemUpdated{Id: "e2", UserId: "u1", Namespace: "test", Timestamp: "2026-03-01T11:00:00.123456789Z",
		Payload: &statisticv1.StatItem{StatCode: "wins", LatestValue: 7, UserId: "other"}}, now, time.Hour)
	require.NoError(t, err)
	require.Equal(t, statstore.Update{Key: statstore.Key{UserID: "u1", StatKey: "wins"}, Namespace: "test", Value: 7,
		At: time.Date(2026, 3, 1, 11, 0, 0, 123456000, time.UTC), EventID: "e2"}, ev.update, "stat: absolute value, top-level user wins, µs precision")
	require.Equal(t, "e2", ev.id)

	ev, err = mapStat(&statisticv1.StatItemUpdated{Id: "e3", Namespace: "test", Timestamp: "2026-03-01T13:00:00+02:00",
		Payload: &statisticv1.StatItem{StatCode: "wins", UserId: "u9"}}, now, time.Hour)
	require.NoError(t, err)
	require.Equal(t, "u9", ev.update.UserID)
	require.True(t, ev.update.At.Equal(time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)))
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", 129)
	cases := map[string]*statisticv1.StatItemUpdated{
		"empty id":         statMsg("", "u1", "wins", 1, ""),
		"long id":          statMsg(long, "u1", "wins", 1, ""),
		"empty user":       statMsg("e", "", "wins", 1, ""),
		"long user":        statMsg("e", long, "wins", 1, ""),
		"NUL in user":      statMsg("e", "u\x001", "wins", 1, ""),
		"no payload":       {Id: "e", UserId: "u1", Namespace: "test"},
		"empty stat code":  statMsg("e", "u1", "", 1, ""),
		"bad stat code":    statMsg("e", "u1", "@login", 1, ""),
		"spaced stat code": statMsg("e", "u1", "win s", 1, ""),
		"long stat code":   statMsg("e", "u1", long, 1, ""),
		"NaN":              statMsg("e", "u1", "wins", math.NaN(), ""),
		"Inf":              statMsg("e", "u1", "wins", math.Inf(1), ""),
		"bad timestamp":    statMsg("e", "u1", "wins", 1, "yesterday"),
		"future timestamp": statMsg("e", "u1", "wins", 1, "2026-03-03T12:00:00Z"),
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 10)
			_, err := StatServer{h: f.h}.OnMessage(context.Background(), msg)
			require.Equal(t, codes.InvalidArgument, code(err), "%v", err)
			require.Equal(t, 0, f.buf.Len(), "nothing applied")
			require.Zero(t, f.dd.claims, "not even marked")
			require.Equal(t, 1.0, value(f.m.stat.invalid))
		})
	}
	f := newFixture(t, 10)
	_, err := LoginServer{h: f.h}.OnMessage(context.Background(), &accountv1.UserLoggedIn{Id: "e", Namespace: "test"})
	require.Equal(t, codes.InvalidArgument, code(err), "login without any user id")
	_, err = LoginServer{h: f.h}.OnMessage(context.Background(), &accountv1.UserLoggedIn{UserId: "u", Namespace: "test"})
	require.Equal(t, codes.InvalidArgument, code(err), "login without event id")
	require.Equal(t, 2.0, value(f.m.login.invalid))
}

func TestOutcomes(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	stat := StatServer{h: f.h}
	lg := LoginServer{h: f.h}

	_, err := stat.OnMessage(ctx, statMsg("e1", "u1", "wins", 3, ""))
	require.NoError(t, err)
	_, err = stat.OnMessage(ctx, statMsg("e1", "u1", "wins", 3, ""))
	require.NoError(t, err, "a redelivery is acknowledged")
	_, err = lg.OnMessage(ctx, loginMsg("e2", "u1"))
	require.NoError(t, err)
	other := statMsg("e3", "u1", "wins", 3, "")
	other.Namespace = "elsewhere"
	_, err = stat.OnMessage(ctx, other)
	require.NoError(t, err, "other namespace: OK, ignored")
	_, err = stat.OnMessage(ctx, statMsg("e4", "u1", "login_count", 3, ""))
	require.NoError(t, err, "stat code driving no goal: OK, ignored (login goals count login events)")

	require.Equal(t, 2, f.buf.Len())
	require.Equal(t, 1.0, value(f.m.stat.applied))
	require.Equal(t, 1.0, value(f.m.stat.duplicate))
	require.Equal(t, 2.0, value(f.m.stat.ignored))
	require.Equal(t, 1.0, value(f.m.login.applied))
	require.Equal(t, 1.0, value(f.m.ignoredNamespace))
	require.Equal(t, 1.0, value(f.m.ignoredGoals))
	require.Equal(t, 3, f.dd.claims, "ignored events are not marked")
}

func TestBufferFullIsResourceExhaustedAndNotMarked(t *testing.T) {
	f := newFixture(t, 1)
	f.h.sink.(*BufferedSink).FullWait = time.Millisecond
	ctx := context.Background()
	_, err := StatServer{h: f.h}.OnMessage(ctx, statMsg("e1", "u1", "wins", 3, ""))
	require.NoError(t, err)
	_, err = StatServer{h: f.h}.OnMessage(ctx, statMsg("e2", "u2", "wins", 3, ""))
	require.Equal(t, codes.ResourceExhausted, code(err))
	require.Equal(t, 1, f.dd.claims, "a refused event leaves no de-dup mark, so its redelivery applies")
	require.Equal(t, 1.0, value(f.m.stat.exhausted))
}

func TestDedupeDownIsUnavailable(t *testing.T) {
	f := newFixture(t, 10)
	f.dd.err = errors.New("connection refused")
	_, err := LoginServer{h: f.h}.OnMessage(context.Background(), loginMsg("e1", "u1"))
	require.Equal(t, codes.Unavailable, code(err))
	require.Equal(t, 0, f.buf.Len(), "reservation released, nothing applied")
	require.Equal(t, 1.0, value(f.m.login.unavailable))
}

func TestClosedBufferForgetsMark(t *testing.T) {
	f := newFixture(t, 10)
	f.buf.Close()
	_, err := LoginServer{h: f.h}.OnMessage(context.Background(), loginMsg("e1", "u1"))
	require.Equal(t, codes.Unavailable, code(err))
	require.False(t, f.dd.seen["e1"], "the mark is removed so the redelivery is applied")
	require.Equal(t, 0, f.buf.Len())
}

// BenchmarkIngest measures the in-process path OnMessage → validation → de-dup (in memory) →
// buffer, on the perf fixture's event mix (20% login, 80% stat) over 10,000 users.
func BenchmarkIngest(b *testing.B) {
	f := newFixture(b, 1<<30)
	f.dd = nil
	f.h.sink.(*BufferedSink).Dedupe = alwaysFresh{}
	users := make([]string, 10_000)
	for i := range users {
		users[i] = "user-" + strings.Repeat("0", 6-len(itoa(i+1))) + itoa(i+1)
	}
	codes := []string{"enemy_kills", "games_played", "headshots", "wins"}
	logins := make([]*accountv1.UserLoggedIn, 1024)
	stats := make([]*statisticv1.StatItemUpdated, 1024)
	for i := range 1024 {
		logins[i] = loginMsg("e", users[(i*7919)%len(users)])
		stats[i] = statMsg("e", users[(i*104729)%len(users)], codes[i%4], float64(i), "2026-03-01T11:00:00.123Z")
	}
	lg, st := LoginServer{h: f.h}, StatServer{h: f.h}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		var err error
		if i%5 == 0 {
			_, err = lg.OnMessage(ctx, logins[i&1023])
		} else {
			_, err = st.OnMessage(ctx, stats[i&1023])
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}

// value reads a counter (prometheus' testutil would pull another module into go.mod).
func value(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

type alwaysFresh struct{}

func (alwaysFresh) Claim(context.Context, string) (dedupe.Claim, error) {
	return dedupe.Claim{Fresh: true}, nil
}
func (alwaysFresh) Forget(context.Context, string, dedupe.Claim) error { return nil }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for ; i > 0; i /= 10 {
		n--
		b[n] = byte('0' + i%10)
	}
	return string(b[n:])
}
