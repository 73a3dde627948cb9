package eventstest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

// Event is one event a test sends and the model it is checked against.
type Event struct {
	ID, User, Code string // Code "" = login
	Value          float64
	At             time.Time
}

// Client sends events to the event handler's two gRPC services, as the platform's bus does.
type Client struct {
	Login accountv1.UserAuthenticationUserLoggedInServiceClient
	Stat  statisticv1.StatisticStatItemUpdatedServiceClient
}

// NewClient is a Client on conn.
func NewClient(conn grpc.ClientConnInterface) Client {
	return Client{Login: accountv1.NewUserAuthenticationUserLoggedInServiceClient(conn),
		Stat: statisticv1.NewStatisticStatItemUpdatedServiceClient(conn)}
}

// Send delivers e once: a login (Code "") or a stat update, in namespace "test".
func (c Client) Send(ctx context.Context, e Event) error {
	if e.Code == "" {
		_, err := c.Login.OnMessage(ctx, &accountv1.UserLoggedIn{Id: e.ID, UserId: e.User, Namespace: "test",
			Timestamp: e.At.Format(time.RFC3339Nano)})
		return err
	}
	_, err := c.Stat.OnMessage(ctx, &statisticv1.StatItemUpdated{Id: e.ID, UserId: e.User, Namespace: "test",
		Timestamp: e.At.Format(time.RFC3339Nano), Payload: &statisticv1.StatItem{StatCode: e.Code, LatestValue: e.Value}})
	return err
}

// State is what the database holds for a set of events, or what it must hold.
type State struct {
	Stats       map[[2]string][2]float64 // (user, key) → (value, max); logins are key "@login"
	Completions map[string][]string      // user → sorted goal ids of FixtureJSON
}

// Model computes the exact expected state: logins counted once per id, a stat's value that of its
// event with the greatest (time, id) — ids bytewise, the contract's order, so neither send order
// nor redelivery matters — its maximum kept, completions for every goal whose target the stat's
// maximum reached.
func Model(evs []Event) State {
	w := State{Stats: map[[2]string][2]float64{}, Completions: map[string][]string{}}
	seen := map[string]bool{}
	type key struct {
		at time.Time
		id string
	}
	latest := map[[2]string]key{}
	for _, e := range evs {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		if e.Code == "" {
			k := [2]string{e.User, "@login"}
			s := w.Stats[k]
			w.Stats[k] = [2]float64{s[0] + 1, s[1] + 1}
			continue
		}
		k := [2]string{e.User, e.Code}
		s, ok := w.Stats[k]
		if l := latest[k]; !ok || e.At.After(l.at) || e.At.Equal(l.at) && e.ID > l.id {
			s[0], latest[k] = e.Value, key{e.At, e.ID}
		}
		s[1] = max(s[1], e.Value)
		w.Stats[k] = s
	}
	for k, s := range w.Stats {
		code := k[1]
		if code == "@login" {
			code = "login_count"
		}
		w.Completions[k[0]] = append(w.Completions[k[0]], Reached(code, s[1])...)
	}
	for u := range w.Completions {
		sort.Strings(w.Completions[u])
		if len(w.Completions[u]) == 0 {
			delete(w.Completions, u)
		}
	}
	return w
}

// ReadState reads the state from the handler's database through p. It reads the schema that
// service/internal/store's migrations create (tables user_stats and stat_thresholds, view
// user_goal_progress), and fails t unless every row's crossed_at holds one time per threshold its
// maximum reached.
func ReadState(t testing.TB, p *pgxpool.Pool) State {
	t.Helper()
	ctx := context.Background()
	got := State{Stats: map[[2]string][2]float64{}, Completions: map[string][]string{}}
	rows, err := p.Query(ctx, `SELECT user_id, stat_key, value, max_value FROM user_stats`)
	require.NoError(t, err)
	for rows.Next() {
		var u, k string
		var v, m float64
		require.NoError(t, rows.Scan(&u, &k, &v, &m))
		got.Stats[[2]string{u, k}] = [2]float64{v, m}
	}
	require.NoError(t, rows.Err())
	// Completed goals as the view derives them; completed_at must come from crossed_at.
	rows, err = p.Query(ctx, `SELECT user_id, goal_id FROM user_goal_progress
		WHERE status IN ('completed', 'claimed') AND completed_at IS NOT NULL ORDER BY user_id, goal_id`)
	require.NoError(t, err)
	for rows.Next() {
		var u, g string
		require.NoError(t, rows.Scan(&u, &g))
		got.Completions[u] = append(got.Completions[u], g)
	}
	require.NoError(t, rows.Err())
	var mismatched int
	require.NoError(t, p.QueryRow(ctx, `SELECT count(*) FROM user_stats s JOIN stat_thresholds t USING (stat_key)
		WHERE cardinality(s.crossed_at) <> width_bucket(s.max_value, t.targets)`).Scan(&mismatched))
	require.Zero(t, mismatched, "crossed_at holds one time per threshold the maximum reached")
	return got
}

// Workload makes n events over users: 20% logins, 80% stats with random values and event times
// sent out of order, plus redeliveries of 10% of them (same id).
func Workload(n, users int, seed uint64) []Event {
	r := rand.New(rand.NewPCG(seed, 1))
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	codes := []string{"enemy_kills", "games_played", "headshots", "wins"}
	var evs []Event
	for i := range n {
		e := Event{ID: "ev-" + strconv.FormatUint(seed, 10) + "-" + strconv.Itoa(i), User: fmt.Sprintf("user-%06d", r.IntN(users)+1),
			At: base.Add(time.Duration(r.IntN(3_600_000_000)) * time.Microsecond)}
		if r.IntN(5) > 0 {
			e.Code, e.Value = codes[r.IntN(4)], float64(r.IntN(600))
		}
		evs = append(evs, e)
	}
	for i := range n / 10 {
		evs = append(evs, evs[i*7%n])
	}
	r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
	return evs
}

// Diff lists the (user, stat) rows whose (value, max) differ between want and got, sorted.
func Diff(want, got State) []string {
	var d []string
	for k, v := range want.Stats {
		if g, ok := got.Stats[k]; !ok || g != v {
			d = append(d, fmt.Sprintf("%s %s want %v got %v", k[0], k[1], v, g))
		}
	}
	for k, g := range got.Stats {
		if _, ok := want.Stats[k]; !ok {
			d = append(d, fmt.Sprintf("%s %s unexpected %v", k[0], k[1], g))
		}
	}
	sort.Strings(d)
	return d
}
