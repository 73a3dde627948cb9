package challenge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/challenge-perf/challenge-perf/loadgen"

	accountv1 "github.com/challenge-perf/challenge-perf/contract/pb/iam/account/v1"
	statisticv1 "github.com/challenge-perf/challenge-perf/contract/pb/social/statistic/v1"
)

// The events' names: the {name:...} tag of their grpc_* submetrics.
const (
	NameLogin = "userLoggedIn"
	NameStat  = "statItemUpdated"
)

// eventIDs makes unique event ids that sort bytewise in the order they were made, also across
// runs (the ground truth orders events of equal timestamp by id, and timestamp-less streams span
// levels): the run's start time (fixed-width hex), a random part, a fixed-width counter.
type eventIDs struct {
	prefix string
	n      atomic.Int64
}

func newEventIDs() *eventIDs {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &eventIDs{prefix: fmt.Sprintf("lg-%016x-%s-", time.Now().UnixNano(), hex.EncodeToString(b))}
}

func (e *eventIDs) next() string { return fmt.Sprintf("%s%012d", e.prefix, e.n.Add(1)) }

var runEventIDs = newEventIDs()

// eventLoadFactory is eventLoad, spec scenario 2: 20 % userLoggedIn / 80 % statItemUpdated,
// AGS envelopes, on one shared connection. Acknowledged events go to the
// ground truth.
//
// env: loginRatio (default 0.2), statCodes (comma list; default the plan's
// statCodes), values ("monotonic" | "random"; default the plan's eventValues),
// redeliver ("true": like the platform's bus, an event not answered OK with a
// code the bus retries is sent again, same id, until it is — see deliver),
// orderProbes ("true": for a target that orders absolute stats by (timestamp, id),
// no timestamp first — TiePairShare of stat iterations send an equal-timestamp
// pair later id first, and TimestamplessStreamShare of streams carry no timestamp).
func eventLoadFactory(sc *loadgen.ScenarioContext) (loadgen.Iteration, error) {
	opts, truth, err := eventSetup(sc, eventLoadEnvKeys...)
	if err != nil {
		return nil, err
	}
	ratio, err := sc.EnvFloat(envLoginRatio, 0.2)
	if err != nil || ratio < 0 || ratio > 1 {
		return nil, sc.EnvError(envLoginRatio, "a number in 0..1")
	}
	codes := sc.EnvList(envStatCodes, opts.statCodes)
	if len(codes) == 0 {
		return nil, sc.EnvError(envStatCodes, "a comma-separated list")
	}
	if v := sc.Env(envValues, truth.mode); v != ValuesMonotonic && v != ValuesRandom {
		return nil, sc.EnvError(envValues, `"monotonic" or "random"`)
	} else if v != truth.mode {
		return nil, sc.EnvError(envValues, "the same mode as plan eventValues (one ground truth per run)")
	}
	redeliver, err := envBool(sc, envRedeliver)
	if err != nil {
		return nil, err
	}
	probes, err := envBool(sc, envOrderProbes)
	if err != nil {
		return nil, err
	}
	sc.SetMainMetric(loadgen.MetricGRPCReqDuration)
	ns := opts.namespace
	return func(ctx context.Context, vu *loadgen.VU) error {
		user := vu.PickUser()
		if vu.Rand.Float64() < ratio {
			return sendLogin(ctx, vu, truth, ns, user, redeliver)
		}
		code := codes[vu.Rand.IntN(len(codes))]
		if probes && vu.Rand.Float64() < TiePairShare {
			return sendTiePair(ctx, vu, truth, ns, user, code, redeliver)
		}
		_, err := sendStat(ctx, vu, truth, ns, user, code, NameStat, nil, redeliver, probes)
		return err
	}, nil
}

// envBool reads a "true" / "false" env key of the scenario (default false).
func envBool(sc *loadgen.ScenarioContext, key string) (bool, error) {
	switch sc.Env(key, "false") {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, sc.EnvError(key, `"true" or "false"`)
}

// sendTiePair sends an equal-timestamp pair of one stream, the later id (and greater value)
// first and the other only once that one is answered: arrival order is then the reverse of the
// contract's order, so a target that lets the last arrival win a tie ends at the older value.
func sendTiePair(ctx context.Context, vu *loadgen.VU, truth *GroundTruth, ns, user, code string, redeliver bool) error {
	p := truth.NextPair(user, code, vu.Rand)
	if err := sendStatEvent(ctx, vu, truth, ns, user, code, NameStat, p[1], redeliver); err != nil {
		return err
	}
	return sendStatEvent(ctx, vu, truth, ns, user, code, NameStat, p[0], redeliver)
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
	err, uncertain := deliver(ctx, vu, accountv1.UserAuthenticationUserLoggedInService_OnMessage_FullMethodName, NameLogin, ev, redeliver)
	settle(vu, err, uncertain, truth, func() { truth.AckLogin(user) }, func() { truth.UncertainLogin(user) })
	return err
}

// sendStat sends the stream's next statItemUpdated and returns its value; next optionally
// overrides the value rule (e2e probe); probes allows a timestamp-less stream.
func sendStat(ctx context.Context, vu *loadgen.VU, truth *GroundTruth, ns, user, code, name string, next func(float64) float64, redeliver, probes bool) (float64, error) {
	e := truth.NextStat(user, code, vu.Rand, next, probes)
	return e.Value, sendStatEvent(ctx, vu, truth, ns, user, code, name, e, redeliver)
}

// sendStatEvent sends one statItemUpdated and records its outcome.
func sendStatEvent(ctx context.Context, vu *loadgen.VU, truth *GroundTruth, ns, user, code, name string, e StatEvent, redeliver bool) error {
	ev := &statisticv1.StatItemUpdated{
		Id: e.ID, Version: 1, Name: "statItemUpdated", Namespace: ns, UserId: user,
		Timestamp: e.Timestamp(),
		Payload:   &statisticv1.StatItem{Namespace: ns, StatCode: code, UserId: user, LatestValue: e.Value, Inc: e.Inc},
	}
	err, uncertain := deliver(ctx, vu, statisticv1.StatisticStatItemUpdatedService_OnMessage_FullMethodName, name, ev, redeliver)
	settle(vu, err, uncertain, truth, func() { truth.AckStat(user, code, e) }, func() { truth.UncertainStat(user, code, e) })
	return err
}

// settle records the event outcome in the ground truth (acknowledged, uncertain under its own
// user and stat, or refused) and counters.
func settle(vu *loadgen.VU, err error, uncertain bool, truth *GroundTruth, ack, maybe func()) {
	switch {
	case err == nil:
		ack()
		vu.Add(eventsAcked, 1, "")
		return
	case uncertain:
		maybe()
	default:
		truth.Reject()
	}
	vu.Add(eventsRejected, 1, "")
}
