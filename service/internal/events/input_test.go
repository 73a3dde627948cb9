package events

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	"github.com/challenge-perf/challenge-perf/service/internal/auth"
)

// Event ids are per protocol: a login and a stat update with the same id are both applied, and
// each one's redelivery is still recognised.
func TestLoginAndStatWithTheSameIDDoNotSuppressEachOther(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	_, err := LoginServer{h: f.h}.OnMessage(ctx, loginMsg("same", "u1"))
	require.NoError(t, err)
	_, err = StatServer{h: f.h}.OnMessage(ctx, statMsg("same", "u1", "wins", 3, ""))
	require.NoError(t, err)
	require.Equal(t, 1.0, value(f.m.login.applied))
	require.Equal(t, 1.0, value(f.m.stat.applied), "the stat is not taken for the login's redelivery")
	require.Equal(t, 2, f.buf.Len())

	_, err = LoginServer{h: f.h}.OnMessage(ctx, loginMsg("same", "u1"))
	require.NoError(t, err)
	_, err = StatServer{h: f.h}.OnMessage(ctx, statMsg("same", "u1", "wins", 3, ""))
	require.NoError(t, err)
	require.Equal(t, 1.0, value(f.m.login.duplicate))
	require.Equal(t, 1.0, value(f.m.stat.duplicate))
}

// One rule for user ids: what the API refuses (auth.ValidateUserID) both gRPC protocols refuse.
func TestUserIDRuleIsTheAPIs(t *testing.T) {
	for _, bad := range []string{"a b", "a\tb", "a\u200bb", "\xff\xfe", "u\x7f"} {
		require.Error(t, auth.ValidateUserID(bad), "%q", bad)
		f := newFixture(t, 10)
		_, err := StatServer{h: f.h}.OnMessage(context.Background(), statMsg("e", bad, "wins", 1, ""))
		require.Equal(t, codes.InvalidArgument, code(err), "stat %q", bad)
		_, err = LoginServer{h: f.h}.OnMessage(context.Background(), loginMsg("e", bad))
		require.Equal(t, codes.InvalidArgument, code(err), "login %q", bad)
		require.Equal(t, 0, f.buf.Len())
	}
	f := newFixture(t, 10)
	_, err := LoginServer{h: f.h}.OnMessage(context.Background(), loginMsg("e", "ユーザー"))
	require.NoError(t, err, "printable UTF-8 is fine on both sides")
}

func TestEventIDWithControlCharactersRefused(t *testing.T) {
	f := newFixture(t, 10)
	_, err := LoginServer{h: f.h}.OnMessage(context.Background(), &accountv1.UserLoggedIn{Id: "a\x00b", UserId: "u1", Namespace: "test"})
	require.Equal(t, codes.InvalidArgument, code(err))
	require.Zero(t, f.dd.claims)
}

// Timestamps further ahead than the configured skew are refused; the default is minutes, not a day.
func TestFutureSkew(t *testing.T) {
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	f := newFixture(t, 10) // default skew
	_, err := StatServer{h: f.h}.OnMessage(context.Background(), statMsg("a", "u1", "wins", 1, ts(time.Hour)))
	require.Equal(t, codes.InvalidArgument, code(err), "an hour ahead pins the stat for an hour")
	_, err = StatServer{h: f.h}.OnMessage(context.Background(), statMsg("b", "u1", "wins", 1, ts(time.Minute)))
	require.NoError(t, err, "a minute of clock skew is tolerated")

	f = newFixture(t, 10)
	f.h.cfg.MaxSkew = 10 * time.Second
	_, err = StatServer{h: f.h}.OnMessage(context.Background(), statMsg("c", "u1", "wins", 1, ts(time.Minute)))
	require.Equal(t, codes.InvalidArgument, code(err))
	_, err = LoginServer{h: f.h}.OnMessage(context.Background(), &accountv1.UserLoggedIn{Id: "d", UserId: "u1", Namespace: "test", Timestamp: ts(time.Minute)})
	require.Equal(t, codes.InvalidArgument, code(err))
}

// AGS stats can be negative: accepted as the current value (see checkValue).
func TestNegativeStatValueAccepted(t *testing.T) {
	f := newFixture(t, 10)
	_, err := StatServer{h: f.h}.OnMessage(context.Background(), statMsg("n", "u1", "wins", -7.5, ""))
	require.NoError(t, err)
	require.Equal(t, 1, f.buf.Len())
	require.Equal(t, 1.0, value(f.m.stat.applied))
}
