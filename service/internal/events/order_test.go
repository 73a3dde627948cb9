package events

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// An absent timestamp is the zero time, not the arrival time: a redelivery arrives later and
// must not order differently from the original (issue 23.2).
func TestAbsentTimestampIsTheZeroTime(t *testing.T) {
	for _, arrival := range []time.Time{now, now.Add(time.Hour)} {
		ev, err := mapStat(statMsg("e1", "u1", "wins", 3, ""), arrival, time.Minute)
		require.NoError(t, err)
		require.True(t, ev.update.At.IsZero(), "arrival %v gave %v", arrival, ev.update.At)
		require.Equal(t, "e1", ev.update.EventID, "the id orders timestamp-less events")
		ev, err = mapLogin(loginMsg("l1", "u1"), arrival, time.Minute)
		require.NoError(t, err)
		require.True(t, ev.update.At.IsZero())
	}
}

// A timestamp at or before the zero time would tie with (or order before) events that carry
// none, which must order before every event with one: refused.
func TestTimestampAtOrBeforeTheZeroTimeRefused(t *testing.T) {
	f := newFixture(t, 10)
	for _, ts := range []string{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000001Z", "0001-01-01T00:30:00+01:00", "0000-06-01T00:00:00Z"} {
		_, err := StatServer{h: f.h}.OnMessage(context.Background(), statMsg("e", "u1", "wins", 1, ts))
		require.Equal(t, codes.InvalidArgument, code(err), "%s: %v", ts, err)
		_, err = LoginServer{h: f.h}.OnMessage(context.Background(), &accountv1.UserLoggedIn{Id: "l", UserId: "u1", Namespace: "test", Timestamp: ts})
		require.Equal(t, codes.InvalidArgument, code(err), "%s: %v", ts, err)
	}
	_, err := StatServer{h: f.h}.OnMessage(context.Background(), statMsg("e", "u1", "wins", 1, "0001-01-01T00:00:00.000001Z"))
	require.NoError(t, err, "the first microsecond after it is a timestamp like any other")
	require.Equal(t, 1, f.buf.Len())
}

// Through the handler (buffered sink): two timestamp-less events arriving in either order, and a
// timestamp-less one after a timestamped one, coalesce by (timestamp, id).
func TestHandlerOrdersByTimestampThenID(t *testing.T) {
	ts := now.Add(-time.Minute).Format(time.RFC3339Nano)
	seqs := []struct {
		user string
		msgs [][3]any // id, value, timestamp
		want float64
	}{
		{"u1", [][3]any{{"b", 7.0, ""}, {"a", 5.0, ""}}, 7},
		{"u2", [][3]any{{"a", 5.0, ""}, {"b", 7.0, ""}}, 7},
		{"u3", [][3]any{{"a", 7.0, ts}, {"z", 9.0, ""}}, 7},
		{"u4", [][3]any{{"a", 5.0, ts}, {"b", 7.0, ts}}, 7},
		{"u5", [][3]any{{"b", 7.0, ts}, {"a", 5.0, ts}}, 7},
	}
	f := newFixture(t, 100)
	for _, s := range seqs {
		for _, m := range s.msgs {
			id := s.user + "/" + m[0].(string) // ids are global (de-duplication); one prefix keeps their order
			_, err := StatServer{h: f.h}.OnMessage(context.Background(), statMsg(id, s.user, "wins", m[1].(float64), m[2].(string)))
			require.NoError(t, err)
		}
	}
	got := map[string]float64{}
	for _, r := range takeRows(f.buf) {
		got[r.UserID] = r.Value
	}
	for _, s := range seqs {
		require.Equal(t, s.want, got[s.user], s.user)
	}
}

// takeRows drains the buffer the way a flush would (through a writer that records the rows).
func takeRows(b *buffer.Buffer) []statstore.Row {
	w := &recordingWriter{}
	f := buffer.NewFlusher(b, w, buffer.FlusherConfig{}, buffer.NewMetrics(nil, b), slog.New(slog.NewTextHandler(io.Discard, nil)))
	_ = f.FlushOnce(context.Background())
	return w.rows
}

type recordingWriter struct{ rows []statstore.Row }

func (w *recordingWriter) Write(_ context.Context, _ string, rows []statstore.Row) (int64, bool, error) {
	w.rows = append(w.rows, rows...)
	return 0, false, nil
}
