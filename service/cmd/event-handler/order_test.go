package main

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/eventstest"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

// orderSeq is a sequence of stat events (sent one after the other, each until OK) for one user's
// "wins" and the (value, max) it must end at.
type orderSeq struct {
	user   string
	events []orderEvent
	want   [2]float64
}

type orderEvent struct {
	id    string
	value float64
	ts    string // "" = no timestamp
}

// Issue 23.2 through the gRPC entry, in both modes: an absolute stat never rolls back to a
// redelivered event's value, and timestamp-less events order by id, before every timestamped one.
func TestAbsoluteStatsOrderByTimestampThenID(t *testing.T) {
	ts := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano)
	seqs := []orderSeq{
		{"u-redelivery", []orderEvent{{"a", 5, ts}, {"b", 7, ts}, {"a", 5, ts}}, [2]float64{7, 7}},
		{"u-timestampless-ba", []orderEvent{{"b", 7, ""}, {"a", 5, ""}}, [2]float64{7, 7}},
		{"u-timestampless-ab", []orderEvent{{"a", 5, ""}, {"b", 7, ""}}, [2]float64{7, 7}},
		{"u-timestampless-last", []orderEvent{{"a", 7, ts}, {"z", 9, ""}}, [2]float64{7, 9}},
	}
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			h := startHandler(t, map[string]string{"ACK_MODE": mode})
			want := eventstest.State{Stats: map[[2]string][2]float64{}, Completions: map[string][]string{}}
			for _, s := range seqs {
				for _, e := range s.events {
					// Ids are global (buffered mode de-duplicates by id): one prefix per sequence keeps their order.
					id := mode + "/" + s.user + "/" + e.id
					_, err := h.Stat.OnMessage(context.Background(), &statisticv1.StatItemUpdated{Id: id, UserId: s.user,
						Namespace: "test", Timestamp: e.ts, Payload: &statisticv1.StatItem{StatCode: "wins", LatestValue: e.value}})
					require.NoError(t, err)
				}
				want.Stats[[2]string{s.user, "wins"}] = s.want
				if c := eventstest.Reached("wins", s.want[1]); len(c) > 0 {
					want.Completions[s.user] = c
				}
			}
			got := waitForState(t, pool(t), want, 10*time.Second)
			require.Empty(t, eventstest.Diff(want, got))
			require.Equal(t, want.Completions, got.Completions)
		})
	}
}

// waitForState reads the state until it equals want (buffered mode writes a flush interval after
// the OK) or the timeout passes, and returns the last state read.
func waitForState(t *testing.T, p *pgxpool.Pool, want eventstest.State, timeout time.Duration) eventstest.State {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := eventstest.ReadState(t, p)
		if len(eventstest.Diff(want, got)) == 0 || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}
