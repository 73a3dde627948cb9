package challenge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/challenge-perf/challenge-perf/loadgen"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

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

// eventLoadFactory is eventLoad, spec scenario 2: 20 % userLoggedIn / 80 % statItemUpdated,
// AGS envelopes, on one shared connection. Acknowledged events go to the
// ground truth.
//
// env: loginRatio (default 0.2), statCodes (comma list; default the plan's
// statCodes), values ("monotonic" | "random"; default the plan's eventValues),
// redeliver ("true": like the platform's bus, an event not answered OK with a
// code the bus retries is sent again, same id, until it is — see deliver).
func eventLoadFactory(sc *loadgen.ScenarioContext) (loadgen.Iteration, error) {
	opts, truth, err := eventSetup(sc, "loginRatio", "statCodes", "values", "redeliver")
	if err != nil {
		return nil, err
	}
	ratio, err := sc.EnvFloat("loginRatio", 0.2)
	if err != nil || ratio < 0 || ratio > 1 {
		return nil, sc.EnvError("loginRatio", "a number in 0..1")
	}
	codes := sc.EnvList("statCodes", opts.statCodes)
	if len(codes) == 0 {
		return nil, sc.EnvError("statCodes", "a comma-separated list")
	}
	if v := sc.Env("values", truth.mode); v != ValuesMonotonic && v != ValuesRandom {
		return nil, sc.EnvError("values", `"monotonic" or "random"`)
	} else if v != truth.mode {
		return nil, sc.EnvError("values", "the same mode as plan eventValues (one ground truth per run)")
	}
	redeliver := false
	switch sc.Env("redeliver", "false") {
	case "true":
		redeliver = true
	case "false":
	default:
		return nil, sc.EnvError("redeliver", `"true" or "false"`)
	}
	sc.SetMainMetric("grpc_req_duration")
	ns := opts.namespace
	return func(ctx context.Context, vu *loadgen.VU) error {
		user := vu.PickUser()
		if vu.Rand.Float64() < ratio {
			return sendLogin(ctx, vu, truth, ns, user, redeliver)
		}
		code := codes[vu.Rand.IntN(len(codes))]
		_, err := sendStat(ctx, vu, truth, ns, user, code, nameStat, nil, redeliver)
		return err
	}, nil
}

// eventSetup prepares a scenario that sends events: it checks the env keys, reads the plan's
// options, and opens the gRPC target and the run's ground truth.
func eventSetup(sc *loadgen.ScenarioContext, env ...string) (options, *GroundTruth, error) {
	if err := sc.CheckEnv(env...); err != nil {
		return options{}, nil, err
	}
	opts, err := planOptions(sc.Plan)
	if err != nil {
		return opts, nil, err
	}
	if err := sc.GRPC(); err != nil {
		return opts, nil, err
	}
	truth, err := runTruth(sc, opts)
	return opts, truth, err
}

// Redelivery backoff: the bus retries soon, then less often.
const (
	redeliverFirst = 50 * time.Millisecond
	redeliverMax   = time.Second
)

// retryable are the codes the platform's bus redelivers on: the handler refused (UNAVAILABLE,
// RESOURCE_EXHAUSTED) or the answer never came (DEADLINE_EXCEEDED, CANCELED by the transport).
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded, codes.Canceled:
		return true
	}
	return false
}

// ambiguous answers leave it open whether the event was applied: the call may have reached the
// handler before the answer was lost (a killed handler's connection, a deadline).
func ambiguous(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return true
	}
	return false
}

// deliver sends one event; with redeliver it sends the same message again after a backoff until
// it is answered OK, a code the bus does not retry comes back, or the run ends. uncertain reports
// whether an unanswered event may still have been applied (an ambiguous attempt). Every attempt is
// one gRPC request in the metrics; events_redelivered counts the repeats.
func deliver(ctx context.Context, vu *loadgen.VU, method, name string, ev any, redeliver bool) (err error, uncertain bool) {
	backoff := redeliverFirst
	for {
		err = vu.Invoke(ctx, method, name, ev, &emptypb.Empty{})
		if err == nil {
			return nil, false
		}
		uncertain = uncertain || ambiguous(err)
		if !redeliver || !retryable(err) || ctx.Err() != nil {
			return err, uncertain || ctx.Err() != nil
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return err, true
		case <-t.C:
		}
		backoff = min(2*backoff, redeliverMax)
		vu.Add(eventsRedelivered, 1, "")
	}
}

func sendLogin(ctx context.Context, vu *loadgen.VU, truth *GroundTruth, ns, user string, redeliver bool) error {
	ev := &accountv1.UserLoggedIn{
		Id: runEventIDs.next(), Version: 1, Name: "userLoggedIn", Namespace: ns, UserId: user,
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano),
		Payload: &accountv1.UserLoggedInPayload{
			UserAccount:        &accountv1.UserAccount{UserId: user, Namespace: ns},
			UserAuthentication: &accountv1.UserAuthentication{PlatformId: "loadgen"},
		},
	}
	err, uncertain := deliver(ctx, vu, accountv1.UserAuthenticationUserLoggedInService_OnMessage_FullMethodName, nameLogin, ev, redeliver)
	settle(vu, err, uncertain, truth, func() { truth.AckLogin(user) })
	return err
}

// sendStat sends one statItemUpdated and returns its value; next optionally
// overrides the value rule (e2e probe).
func sendStat(ctx context.Context, vu *loadgen.VU, truth *GroundTruth, ns, user, code, name string, next func(float64) float64, redeliver bool) (float64, error) {
	ts, v, inc := truth.NextStat(user, code, vu.Rand, next)
	ev := &statisticv1.StatItemUpdated{
		Id: runEventIDs.next(), Version: 1, Name: "statItemUpdated", Namespace: ns, UserId: user,
		Timestamp: ts.Format(time.RFC3339Nano),
		Payload:   &statisticv1.StatItem{Namespace: ns, StatCode: code, UserId: user, LatestValue: v, Inc: inc},
	}
	err, uncertain := deliver(ctx, vu, statisticv1.StatisticStatItemUpdatedService_OnMessage_FullMethodName, name, ev, redeliver)
	settle(vu, err, uncertain, truth, func() { truth.AckStat(user, code, ts, v) })
	return v, err
}

// settle records the event outcome in the ground truth and counters.
func settle(vu *loadgen.VU, err error, uncertain bool, truth *GroundTruth, ack func()) {
	if err == nil {
		ack()
		vu.Add(eventsAcked, 1, "")
		return
	}
	truth.Reject(uncertain)
	vu.Add(eventsRejected, 1, "")
}
