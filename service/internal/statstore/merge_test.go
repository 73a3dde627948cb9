package statstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

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

// The merge is order-independent: every arrival order of a set of events (with redeliveries,
// equal timestamps and timestamp-less events) coalesces to the same row.
func TestMergeIsOrderIndependent(t *testing.T) {
	evs := []*Update{
		statID("c", 3, t0), statID("a", 5, t0), statID("b", 7, t0), statID("a", 5, t0),
		statID("x", 11, time.Time{}), statID("y", 2, time.Time{}), statID("d", 1, t0.Add(-time.Second)),
	}
	want := mergeAll(evs...)
	require.Equal(t, Row{Key: Key{UserID: "u1", StatKey: "wins"}, Namespace: "test", Value: 3, Max: 11, At: t0, EventID: "c"}, want)
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
