package buffer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// statID is an absolute stat update with its event id; zero at = the event carried no timestamp.
func statID(id string, v float64, at time.Time) *statstore.Update {
	return &statstore.Update{Key: statstore.Key{UserID: "u1", StatKey: "wins"}, Namespace: "test", Value: v, At: at, EventID: id}
}

// mergeAll coalesces updates in arrival order, the way Buffer.Add and the group committer do.
func mergeAll(us ...*statstore.Update) statstore.Row {
	r := statstore.RowOf(us[0])
	for _, u := range us[1:] {
		r = statstore.Merge(r, statstore.RowOf(u))
	}
	return r
}

// bufferAll adds updates to a buffer in arrival order and returns the one row they coalesce to.
func bufferAll(t *testing.T, us ...*statstore.Update) statstore.Row {
	t.Helper()
	b := New(10)
	for _, u := range us {
		add(t, b, u)
	}
	rows := b.takeAll(nil)
	require.Len(t, rows, 1)
	return rows[0]
}

// Issue 23.2: 5@t (a), 7@t (b), then a redelivery of 5@t (a). The greater key (t, "b") decides;
// the redelivery must not win the tie by arriving last.
func TestRedeliveryDoesNotRollBackAnEqualTimestamp(t *testing.T) {
	seq := []*statstore.Update{statID("a", 5, t0), statID("b", 7, t0), statID("a", 5, t0)}
	for name, r := range map[string]statstore.Row{"merge": mergeAll(seq...), "buffer": bufferAll(t, seq...)} {
		require.Equal(t, 7.0, r.Value, name)
		require.Equal(t, "b", r.EventID, name)
		require.True(t, r.At.Equal(t0), name)
		require.Equal(t, 7.0, r.Max, name)
	}
}

// Timestamp-less events all have the zero time, so their id decides, whatever order they arrive in.
func TestTimestamplessEventsAreOrderedByID(t *testing.T) {
	for _, seq := range [][]*statstore.Update{
		{statID("b", 7, time.Time{}), statID("a", 5, time.Time{})},
		{statID("a", 5, time.Time{}), statID("b", 7, time.Time{})},
	} {
		r := bufferAll(t, seq...)
		require.Equal(t, 7.0, r.Value, "id b > id a")
		require.Equal(t, "b", r.EventID)
		require.Equal(t, 7.0, mergeAll(seq...).Value)
	}
}

// A timestamp-less event orders before every timestamped one: arriving later does not make it win,
// though its value still counts for the maximum (completion is sticky).
func TestATimestamplessEventDoesNotOverrideATimestampedOne(t *testing.T) {
	for _, seq := range [][]*statstore.Update{
		{statID("a", 7, t0), statID("z", 9, time.Time{})},
		{statID("z", 9, time.Time{}), statID("a", 7, t0)},
	} {
		r := bufferAll(t, seq...)
		require.Equal(t, 7.0, r.Value)
		require.Equal(t, "a", r.EventID)
		require.True(t, r.At.Equal(t0))
		require.Equal(t, 9.0, r.Max)
	}
}

// A flush that failed is merged back under later arrivals by the same order: the put-back row wins
// when its key is greater, even though the other one arrived later.
func TestPutBackKeepsTheGreaterKey(t *testing.T) {
	b := New(10)
	add(t, b, statID("b", 7, t0))
	failed := b.takeAll(nil)
	add(t, b, statID("a", 5, t0)) // arrived after, same time, smaller id
	b.putBack(failed)
	r := snapshot(b)[statstore.Key{UserID: "u1", StatKey: "wins"}]
	require.Equal(t, 7.0, r.Value)
	require.Equal(t, "b", r.EventID)
}

// Logins are counted, not ordered: each adds its delta whatever its key.
func TestLoginsIgnoreTheOrder(t *testing.T) {
	r := bufferAll(t, &statstore.Update{Key: statstore.Key{UserID: "u1", StatKey: "@login"}, Value: 1, At: t0, EventID: "b", Additive: true},
		&statstore.Update{Key: statstore.Key{UserID: "u1", StatKey: "@login"}, Value: 1, At: t0, EventID: "a", Additive: true},
		&statstore.Update{Key: statstore.Key{UserID: "u1", StatKey: "@login"}, Value: 1, EventID: "c", Additive: true})
	require.Equal(t, 3.0, r.Value)
	require.True(t, r.At.Equal(t0), "the latest login time")
}
