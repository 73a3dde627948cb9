package buffer

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// statID is an absolute stat update with its event id; zero at = the event carried no timestamp.
func statID(id string, v float64, at time.Time) *Update {
	return &Update{Key: Key{"u1", "wins"}, Namespace: "test", Value: v, At: at, EventID: id}
}

// mergeAll coalesces updates in arrival order, the way Buffer.Add and the group committer do.
func mergeAll(us ...*Update) Row {
	r := RowOf(us[0])
	for _, u := range us[1:] {
		r = Merge(r, RowOf(u))
	}
	return r
}

// bufferAll adds updates to a buffer in arrival order and returns the one row they coalesce to.
func bufferAll(t *testing.T, us ...*Update) Row {
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
	seq := []*Update{statID("a", 5, t0), statID("b", 7, t0), statID("a", 5, t0)}
	for name, r := range map[string]Row{"merge": mergeAll(seq...), "buffer": bufferAll(t, seq...)} {
		require.Equal(t, 7.0, r.Value, name)
		require.Equal(t, "b", r.EventID, name)
		require.True(t, r.At.Equal(t0), name)
		require.Equal(t, 7.0, r.Max, name)
	}
}

// Timestamp-less events all have the zero time, so their id decides, whatever order they arrive in.
func TestTimestamplessEventsAreOrderedByID(t *testing.T) {
	for _, seq := range [][]*Update{
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
	for _, seq := range [][]*Update{
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

// The merge is order-independent: every arrival order of a set of events (with redeliveries,
// equal timestamps and timestamp-less events) coalesces to the same row.
func TestMergeIsOrderIndependent(t *testing.T) {
	evs := []*Update{
		statID("c", 3, t0), statID("a", 5, t0), statID("b", 7, t0), statID("a", 5, t0),
		statID("x", 11, time.Time{}), statID("y", 2, time.Time{}), statID("d", 1, t0.Add(-time.Second)),
	}
	want := mergeAll(evs...)
	require.Equal(t, Row{Key: Key{"u1", "wins"}, Namespace: "test", Value: 3, Max: 11, At: t0, EventID: "c"}, want)
	permute(evs, func(p []*Update) {
		require.Equal(t, want, mergeAll(p...), "order %s", order(p))
	})
}

// Ids compare bytewise (Go string order, SQL COLLATE "C"): "B" < "a", "a" < "a0", "é" > "z".
func TestIDsCompareBytewise(t *testing.T) {
	for _, c := range [][2]string{{"B", "a"}, {"a", "a0"}, {"z", "é"}, {"", "0"}} {
		lo, hi := statID(c[0], 1, t0), statID(c[1], 2, t0)
		require.Equal(t, 2.0, mergeAll(lo, hi).Value, "%q < %q", c[0], c[1])
		require.Equal(t, 2.0, mergeAll(hi, lo).Value, "%q < %q", c[0], c[1])
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
	r := snapshot(b)[Key{"u1", "wins"}]
	require.Equal(t, 7.0, r.Value)
	require.Equal(t, "b", r.EventID)
}

// Logins are counted, not ordered: each adds its delta whatever its key.
func TestLoginsIgnoreTheOrder(t *testing.T) {
	r := bufferAll(t, &Update{Key: Key{"u1", "@login"}, Value: 1, At: t0, EventID: "b", Additive: true},
		&Update{Key: Key{"u1", "@login"}, Value: 1, At: t0, EventID: "a", Additive: true},
		&Update{Key: Key{"u1", "@login"}, Value: 1, EventID: "c", Additive: true})
	require.Equal(t, 3.0, r.Value)
	require.True(t, r.At.Equal(t0), "the latest login time")
}

func permute(us []*Update, f func([]*Update)) {
	var rec func(k int)
	rec = func(k int) {
		if k == len(us) {
			f(us)
			return
		}
		for i := k; i < len(us); i++ {
			us[k], us[i] = us[i], us[k]
			rec(k + 1)
			us[k], us[i] = us[i], us[k]
		}
	}
	rec(0)
}

func order(us []*Update) string {
	s := ""
	for _, u := range us {
		s += fmt.Sprintf("%s=%g ", u.EventID, u.Value)
	}
	return s
}
