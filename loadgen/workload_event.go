package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"

	accountv1 "github.com/challenge-perf/challenge-perf/internal/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/internal/pb/social/statistic/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// eventLoad is spec scenario 2: 20 % userLoggedIn / 80 % statItemUpdated,
// AGS envelopes, on one shared connection. Acknowledged events go to the
// ground truth.
//
// env: loginRatio (default 0.2), statCodes (comma list; default plan
// statCodes), values ("monotonic" | "random"; default plan eventValues).
func init() { RegisterWorkload("eventLoad", eventLoadFactory) }

const (
	nameLogin = "userLoggedIn"
	nameStat  = "statItemUpdated"
)

// eventIDs makes unique event ids: a random run prefix plus a counter.
type eventIDs struct {
	prefix string
	n      atomic.Int64
}

func newEventIDs() *eventIDs {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &eventIDs{prefix: "lg-" + hex.EncodeToString(b) + "-"}
}

func (e *eventIDs) next() string { return e.prefix + strconv.FormatInt(e.n.Add(1), 10) }

var runEventIDs = newEventIDs()

func eventLoadFactory(sc *ScenarioContext) (Iteration, error) {
	if err := checkEnvKeys(sc, "loginRatio", "statCodes", "values"); err != nil {
		return nil, err
	}
	if err := sc.GRPC(); err != nil {
		return nil, err
	}
	ratio, err := sc.EnvFloat("loginRatio", 0.2)
	if err != nil || ratio < 0 || ratio > 1 {
		return nil, sc.envErr("loginRatio", "a number in 0..1")
	}
	codes := sc.EnvList("statCodes", sc.Plan.StatCodes)
	if len(codes) == 0 {
		return nil, sc.envErr("statCodes", "a comma-separated list")
	}
	truth := sc.Truth()
	if v := sc.Env("values", truth.mode); v != ValuesMonotonic && v != ValuesRandom {
		return nil, sc.envErr("values", `"monotonic" or "random"`)
	} else if v != truth.mode {
		return nil, sc.envErr("values", "the same mode as plan eventValues (one ground truth per run)")
	}
	sc.SetMainMetric("grpc_req_duration")
	ns := sc.Plan.Target.Namespace
	return func(ctx context.Context, vu *VU) error {
		user := vu.PickUser()
		if vu.Rand.Float64() < ratio {
			return sendLogin(ctx, vu, truth, ns, user)
		}
		code := codes[vu.Rand.IntN(len(codes))]
		_, err := sendStat(ctx, vu, truth, ns, user, code, nameStat, nil)
		return err
	}, nil
}

func sendLogin(ctx context.Context, vu *VU, truth *GroundTruth, ns, user string) error {
	ev := &accountv1.UserLoggedIn{
		Id: runEventIDs.next(), Version: 1, Name: "userLoggedIn", Namespace: ns, UserId: user,
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano),
		Payload: &accountv1.UserLoggedInPayload{
			UserAccount:        &accountv1.UserAccount{UserId: user, Namespace: ns},
			UserAuthentication: &accountv1.UserAuthentication{PlatformId: "loadgen"},
		},
	}
	err := vu.Invoke(ctx, accountv1.UserAuthenticationUserLoggedInService_OnMessage_FullMethodName, nameLogin, ev, &emptypb.Empty{})
	settle(ctx, vu, err, truth, func() { truth.AckLogin(user) })
	return err
}

// sendStat sends one statItemUpdated and returns its value; next optionally
// overrides the value rule (e2e probe).
func sendStat(ctx context.Context, vu *VU, truth *GroundTruth, ns, user, code, name string, next func(float64) float64) (float64, error) {
	ts, v, inc := truth.NextStat(user, code, vu.Rand, next)
	ev := &statisticv1.StatItemUpdated{
		Id: runEventIDs.next(), Version: 1, Name: "statItemUpdated", Namespace: ns, UserId: user,
		Timestamp: ts.Format(time.RFC3339Nano),
		Payload:   &statisticv1.StatItem{Namespace: ns, StatCode: code, UserId: user, LatestValue: v, Inc: inc},
	}
	err := vu.Invoke(ctx, statisticv1.StatisticStatItemUpdatedService_OnMessage_FullMethodName, name, ev, &emptypb.Empty{})
	settle(ctx, vu, err, truth, func() { truth.AckStat(user, code, ts, v) })
	return v, err
}

// settle records the event outcome in the ground truth and counters.
func settle(ctx context.Context, vu *VU, err error, truth *GroundTruth, ack func()) {
	if err == nil {
		ack()
		vu.emit(mEventsAcked, 1, "")
		return
	}
	c := status.Code(err)
	truth.Reject(c == codes.DeadlineExceeded || c == codes.Canceled || ctx.Err() != nil)
	vu.emit(mEventsRejected, 1, "")
}
