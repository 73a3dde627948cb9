package challenge

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
)

func TestEventLoadGroundTruth(t *testing.T) {
	gs := newGRPCServer(t, 2*time.Millisecond, 7)
	usersFile := writeFile(t, "users.json", users(20))
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"events":{"executor":"constant-arrival-rate","rate":300,"duration":"2s",
		"preAllocatedVUs":20,"maxVUs":100,"exec":"eventLoad","env":{"orderProbes":"true"}}},"target":{"grpcAddr":%q,"namespace":"test"},
		"fixtures":{"users":%q},"seed":42,"thresholds":{"grpc_req_duration":["p(95)<1000"]}}`, gs.addr, usersFile))
	got := gs.snapshot()
	// Every call the generator made reached the server; how many of the 600 scheduled ran rather
	// than dropped depends on the host's load (CI shares two cores with containers).
	require.Equal(t, int(metric(t, res, "grpc_reqs", "count")), len(got))
	require.GreaterOrEqual(t, len(got), 540)
	gs.mu.Lock()
	assert.Zero(t, gs.dupIDs, "event ids must be unique")
	gs.mu.Unlock()

	// Expected truth from what the server accepted: login counts, latest stat by (timestamp, id).
	type st struct {
		v  float64
		ts time.Time
		id string
	}
	after := func(e received, p st) bool { return StatEvent{TS: e.ts, ID: e.id}.After(StatEvent{TS: p.ts, ID: p.id}) }
	logins := map[string]int{}
	stats := map[string]map[string]st{}
	var rejected, loginsSeen int
	last := map[string]st{} // all received events: value order must equal timestamp order
	for _, e := range got {
		if e.login {
			loginsSeen++
		} else {
			k := e.user + "/" + e.code
			if p, ok := last[k]; ok {
				assert.Equal(t, after(e, p), e.value > p.v, "monotonic: (timestamp, id) order == value order for %s", k)
			}
			if p, ok := last[k]; !ok || after(e, p) {
				last[k] = st{e.value, e.ts, e.id}
			}
		}
		if !e.accepted {
			rejected++
			continue
		}
		if e.login {
			logins[e.user]++
			continue
		}
		if stats[e.user] == nil {
			stats[e.user] = map[string]st{}
		}
		if p, ok := stats[e.user][e.code]; !ok || after(e, p) {
			stats[e.user][e.code] = st{e.value, e.ts, e.id}
		}
	}
	assert.InDelta(t, 0.2*float64(len(got)), loginsSeen, 0.06*float64(len(got)), "~20%% logins")
	require.Greater(t, rejected, 50)

	snap := TruthOf(res).Snapshot()
	assert.Equal(t, "test", snap.Namespace)
	assert.EqualValues(t, rejected, snap.EventsRejected)
	assert.EqualValues(t, len(got)-rejected, snap.EventsAcked)
	assert.Zero(t, snap.EventsUncertain)
	for u, n := range logins {
		assert.Equal(t, n, snap.Users[u].Logins, u)
	}
	nStats := 0
	for u, m := range stats {
		for code, want := range m {
			g, ok := snap.Users[u].Stats[code]
			require.True(t, ok, "%s/%s missing", u, code)
			assert.True(t, g.Acked, "%s/%s", u, code)
			assert.Equal(t, want.v, g.Value, "%s/%s", u, code)
			assert.Equal(t, want.id, g.ID, "%s/%s", u, code)
			assert.Equal(t, want.ts.IsZero(), g.Timestamp == "", "%s/%s: a timestamp-less event has none", u, code)
			if g.Timestamp != "" {
				gts, err := time.Parse(time.RFC3339Nano, g.Timestamp)
				require.NoError(t, err)
				assert.True(t, want.ts.Equal(gts), "%s/%s timestamp", u, code)
			}
			nStats++
		}
		for code := range snap.Users[u].Stats {
			_, ok := m[code]
			assert.True(t, ok, "truth has %s/%s that the server never accepted", u, code)
		}
		assert.Subset(t, []string{"enemy_kills", "games_played", "headshots", "wins"}, keysOfStats(snap.Users[u].Stats))
	}
	for u, tu := range snap.Users {
		assert.Equal(t, logins[u], tu.Logins, u)
		assert.Equal(t, len(stats[u]), len(tu.Stats), u)
	}
	assert.Greater(t, nStats, 40)

	fr := metric(t, res, "grpc_req_failed", "value")
	assert.InDelta(t, 1.0/7, fr, 0.02)
	assert.GreaterOrEqual(t, metric(t, res, "grpc_req_duration", "med"), 2.0)
	assert.Less(t, metric(t, res, "grpc_req_duration", "med"), 50.0, "loose: a loaded host overshoots the server's 2 ms sleep")
	assert.Contains(t, res.Summary.Metrics, "grpc_req_duration{name:statItemUpdated}")
	assert.Contains(t, res.Summary.Metrics, "grpc_req_duration{name:userLoggedIn}")
	assert.Greater(t, metric(t, res, "data_sent", "count"), 600*50.0)
	assert.False(t, res.ThresholdsFailed)

	dir := t.TempDir()
	require.NoError(t, res.WriteDir(dir))
	b, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	require.NoError(t, err)
	var file map[string]any
	require.NoError(t, json.Unmarshal(b, &file))
	assert.Equal(t, "test", file["namespace"])
	assert.Contains(t, file, "users")
}

func keysOfStats(m map[string]runresult.GroundTruthStat) []string {
	var k []string
	for c := range m {
		k = append(k, c)
	}
	return k
}

func TestEventLoadRandomValues(t *testing.T) {
	gs := newGRPCServer(t, 0, 0)
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"events":{"executor":"constant-arrival-rate","rate":200,"duration":"1s",
		"preAllocatedVUs":10,"exec":"eventLoad","env":{"loginRatio":"0","statCodes":"wins"}}},"target":{"grpcAddr":%q},
		"fixtures":{"generateUsers":5},"eventValues":"random"}`, gs.addr))
	for _, e := range gs.snapshot() {
		assert.False(t, e.login)
		assert.Equal(t, "wins", e.code)
		assert.GreaterOrEqual(t, e.value, 0.0)
		assert.Less(t, e.value, 1000.0)
	}
	assert.Equal(t, "random", TruthOf(res).Snapshot().ValueMode)
	assert.Len(t, TruthOf(res).Snapshot().Users, 5)
}

func TestE2EProbe(t *testing.T) {
	const visibleAfter = 150 * time.Millisecond
	gs := newGRPCServer(t, 0, 0)
	hs := newAPIServer(t)
	// Progress becomes visible visibleAfter the server accepted the event (a flush).
	hs.list = func(user string) []byte {
		prog := 0.0
		for _, e := range gs.snapshot() {
			if e.user == user && e.code == "wins" && e.accepted && time.Since(e.ts) >= visibleAfter {
				prog = max(prog, e.value)
			}
		}
		return []byte(fmt.Sprintf(`{"challenges":[{"challengeId":"c9","goals":[
			{"goalId":"small","progress":%v,"requirement":{"statCode":"wins","targetValue":5}},
			{"goalId":"big","progress":%v,"requirement":{"statCode":"wins","targetValue":50}}]}]}`, min(prog, 5), min(prog, 50)))
	}
	// 8 probes: more than the first-listed goal's target (5), so only watching the goal with the
	// largest target (50, the default choice) keeps every probe valid.
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"probe":{"executor":"constant-arrival-rate","rate":4,"duration":"2s",
		"preAllocatedVUs":2,"exec":"e2eProbe","env":{"statCode":"wins","pollInterval":"20ms","timeout":"3s"}},
		"events":{"executor":"constant-arrival-rate","rate":50,"duration":"2s","preAllocatedVUs":5,"exec":"eventLoad"}},
		"target":{"grpcAddr":%q,"baseURL":%q},"fixtures":{"generateUsers":3}}`, gs.addr, hs.URL))
	assert.Equal(t, 0.0, metric(t, res, "e2e_failed", "value"))
	assert.InDelta(t, 8, metric(t, res, "e2e_failed", "fails"), 1)
	lat := metric(t, res, "e2e_latency", "med")
	assert.GreaterOrEqual(t, lat, 140.0, "the timestamp is taken before the send, so ≥ visibleAfter − send time")
	assert.Less(t, lat, 1500.0, "loose: polls every 20 ms on a possibly loaded host")
	// The probe user (last user) is reserved: eventLoad must not send to it.
	probeEvents := 0
	for _, e := range gs.snapshot() {
		if e.user == "user-000003" {
			probeEvents++
			assert.Equal(t, "wins", e.code)
		}
	}
	assert.InDelta(t, 8, probeEvents, 1)
	assert.Equal(t, "e2e_latency", func() string {
		for _, l := range res.Timeseries {
			if l.Scenario == "probe" {
				return l.Metric
			}
		}
		return ""
	}())
	assert.Contains(t, TruthOf(res).Snapshot().Users, "user-000003")
}

// With redeliver, an event refused with a code the platform's bus retries is sent again (same id)
// until it is acknowledged: every event ends acknowledged exactly once, and the ground truth is
// exact without uncertain events.
func TestEventLoadRedeliversRefusedEvents(t *testing.T) {
	gs := newGRPCServer(t, 0, 5)
	gs.rejectCode = codes.Unavailable
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"events":{"executor":"constant-arrival-rate","rate":200,"duration":"1s",
		"preAllocatedVUs":20,"exec":"eventLoad","env":{"redeliver":"true"}}},"target":{"grpcAddr":%q,"namespace":"test"},
		"fixtures":{"generateUsers":10}}`, gs.addr))
	refused := 0
	gs.mu.Lock()
	n := len(gs.events)
	gs.mu.Unlock()
	for _, e := range gs.snapshot() {
		if !e.accepted {
			refused++
		}
	}
	require.Positive(t, refused, "the server refused every 5th call")
	snap := TruthOf(res).Snapshot()
	assert.EqualValues(t, n-refused, snap.EventsAcked, "every event ends acknowledged")
	assert.Zero(t, snap.EventsRejected)
	assert.Zero(t, snap.EventsUncertain)
	assert.EqualValues(t, refused, metric(t, res, "events_redelivered", "count"))
	_, rejected := res.Summary.Metrics["events_rejected"]
	assert.False(t, rejected)
}

func TestEventLoadRefusesABadRedeliverValue(t *testing.T) {
	p, err := loadgen.ParsePlan([]byte(`{"scenarios":{"events":{"executor":"constant-arrival-rate","rate":1,"duration":"1s",
		"preAllocatedVUs":1,"exec":"eventLoad","env":{"redeliver":"yes"}}},"target":{"grpcAddr":"127.0.0.1:1"}}`))
	if err == nil {
		_, err = loadgen.Run(context.Background(), p, loadgen.RunOptions{})
	}
	require.ErrorContains(t, err, "redeliver")
}

// The ground truth's order is the contract's: timestamp, then id bytewise, no timestamp first;
// ids sort in the order they are made, also across runs.
func TestStatEventOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := runEventIDs.next(), runEventIDs.next()
	require.Less(t, a, b)
	time.Sleep(time.Microsecond)
	require.Less(t, b, newEventIDs().next(), "a later run's ids sort after this run's")
	assert.True(t, StatEvent{TS: t0.Add(time.Microsecond), ID: a}.After(StatEvent{TS: t0, ID: b}))
	assert.True(t, StatEvent{TS: t0, ID: b}.After(StatEvent{TS: t0, ID: a}), "equal timestamps: the greater id")
	assert.False(t, StatEvent{TS: t0, ID: a}.After(StatEvent{TS: t0, ID: a}), "the same event again changes nothing")
	assert.True(t, StatEvent{TS: t0, ID: a}.After(StatEvent{ID: b}), "an event without a timestamp orders first")
	assert.Equal(t, "", StatEvent{ID: a}.Timestamp())
}

// The order probes: some streams carry no timestamp, a pair shares one; the pair's second
// event orders after the first (so sent first it arrives out of order), and values follow the
// order. Without probes no stream goes without a timestamp.
func TestOrderProbes(t *testing.T) {
	var users []string
	for i := range 400 {
		users = append(users, fmt.Sprintf("user-%06d", i))
	}
	g := newGroundTruth("test", ValuesMonotonic, users)
	r := rand.New(rand.NewPCG(1, 2))
	var tsless, n int
	for _, u := range users {
		var prev StatEvent
		for i := range 10 {
			e := g.NextStat(u, "wins", r, nil, true)
			n++
			if e.TS.IsZero() {
				tsless++
				require.True(t, timestampless(u, "wins"))
			}
			if i > 0 {
				require.True(t, e.After(prev), "%s: each event orders after the previous", u)
				require.Greater(t, e.Value, prev.Value)
			}
			prev = e
		}
		p := g.NextPair(u, "wins", r)
		require.True(t, p[0].TS.Equal(p[1].TS), "a pair shares its timestamp")
		require.True(t, p[0].After(prev) && p[1].After(p[0]), "the second of a pair orders after the first")
		require.Greater(t, p[1].Value, p[0].Value)
		require.Equal(t, timestampless(u, "wins"), p[0].TS.IsZero())
	}
	assert.Positive(t, tsless, "some streams carry no timestamp")
	assert.Less(t, tsless, n/10)
	for _, u := range users {
		require.False(t, g.NextStat(u, "kills", r, nil, false).TS.IsZero(), "no probes: every event has a timestamp")
	}
	e := g.NextStat(users[0], "wins", r, func(float64) float64 { return 1e6 }, true)
	assert.False(t, e.TS.IsZero(), "the E2E probe's events always carry a timestamp")
}

// An uncertain event is recorded under its own user and stat, so only it can explain a value there.
func TestUncertainEventsAreAttributed(t *testing.T) {
	g := newGroundTruth("test", ValuesMonotonic, []string{"u1", "u2"})
	r := rand.New(rand.NewPCG(1, 2))
	a := g.NextStat("u1", "wins", r, nil, false)
	g.AckStat("u1", "wins", a)
	b := g.NextStat("u1", "wins", r, nil, false)
	g.UncertainStat("u1", "wins", b)
	g.UncertainLogin("u2")
	g.Reject()
	snap := g.Snapshot()
	assert.EqualValues(t, 1, snap.EventsAcked)
	assert.EqualValues(t, 3, snap.EventsRejected)
	assert.EqualValues(t, 2, snap.EventsUncertain)
	w := snap.Users["u1"].Stats["wins"]
	assert.True(t, w.Acked)
	assert.Equal(t, a.Value, w.Value)
	assert.Equal(t, a.Value, w.Max)
	assert.Equal(t, []runresult.GroundTruthEvent{{Value: b.Value, Timestamp: b.Timestamp(), ID: b.ID}}, w.Uncertain)
	assert.Equal(t, 1, snap.Users["u2"].UncertainLogins)
	assert.Empty(t, snap.Users["u2"].Stats)
}
