package challenge

import (
	"encoding/json"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Value rules of the stat events (the plan's eventValues).
const (
	ValuesMonotonic = "monotonic"
	ValuesRandom    = "random"
)

// GroundTruth records what the event handler ACKNOWLEDGED, so the suite can
// compare the database with it exactly, and the events whose outcome is unknown
// (uncertain), each under its own user and stat.
type GroundTruth struct {
	namespace string
	mode      string
	users     map[string]*truthUser // pre-filled: read-only during the run
	extraMu   sync.Mutex
	extra     map[string]*truthUser

	acked, rejected, uncertain atomic.Int64
}

type truthUser struct {
	mu              sync.Mutex
	logins          int
	uncertainLogins int
	stats           map[string]*truthStat
}

type truthStat struct {
	lastTS    time.Time // last timestamp handed out (acknowledged or not)
	lastVal   float64
	ack       StatEvent // the acknowledged event that decides the value (see StatEvent.After)
	ackMax    float64
	acked     bool
	uncertain []StatEvent
}

// StatEvent is one stat event as the ground truth orders it.
type StatEvent struct {
	ID    string
	TS    time.Time // zero when the event carries no timestamp
	Value float64
	Inc   float64
}

// After reports whether e decides a stat's value over o: the greater timestamp, then the greater
// id bytewise; an event without a timestamp orders before every event with one. The service
// applies the same order, so neither arrival order nor redelivery changes the outcome.
func (e StatEvent) After(o StatEvent) bool {
	if !e.TS.Equal(o.TS) {
		return e.TS.After(o.TS)
	}
	return e.ID > o.ID
}

// Timestamp is the event's wire timestamp ("" when it has none).
func (e StatEvent) Timestamp() string {
	if e.TS.IsZero() {
		return ""
	}
	return e.TS.Format(time.RFC3339Nano)
}

func newGroundTruth(namespace, mode string, users []string) *GroundTruth {
	g := &GroundTruth{namespace: namespace, mode: mode, users: make(map[string]*truthUser, len(users)), extra: map[string]*truthUser{}}
	for _, u := range users {
		g.users[u] = &truthUser{stats: map[string]*truthStat{}}
	}
	return g
}

func (g *GroundTruth) user(id string) *truthUser {
	if u := g.users[id]; u != nil {
		return u
	}
	g.extraMu.Lock()
	defer g.extraMu.Unlock()
	u := g.extra[id]
	if u == nil {
		u = &truthUser{stats: map[string]*truthStat{}}
		g.extra[id] = u
	}
	return u
}

// stat returns the user's record of code, created on first use; u.mu is held.
func (u *truthUser) stat(code string) *truthStat {
	st := u.stats[code]
	if st == nil {
		st = &truthStat{}
		u.stats[code] = st
	}
	return st
}

// Shares of the order probes (see NextStat, NextPair), sent only to a target that declares the
// contract's order (the plan's orderProbes).
const (
	// TiePairShare of stat iterations send a pair of events with one timestamp, the later id
	// first: an implementation that lets the last arrival win a tie keeps the older value.
	TiePairShare = 0.02
	// TimestamplessStreamShare of (user, stat) streams send no timestamps at all: the id decides.
	TimestamplessStreamShare = 0.02
)

// timestampless reports whether the (user, code) stream sends its events without timestamps: a
// fixed share of streams, chosen by hash so every level and run agrees. Only whole streams: an
// event without a timestamp orders before any with one, so mixing would just discard it.
func timestampless(user, code string) bool {
	h := fnv.New32a()
	_, _ = h.Write([]byte(user))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(code))
	return float64(h.Sum32()%10_000) < TimestamplessStreamShare*10_000
}

// NextStat hands out the next stat event of (user, code) — id, timestamp and value — under one
// lock, so the ground truth's order (StatEvent.After) equals value order in monotonic mode.
// Timestamps increase per stream at microsecond granularity (PostgreSQL's precision); with
// probes, TimestamplessStreamShare of streams carry none, and the id alone orders them. next,
// when non-nil, overrides the value rule (the E2E probe, whose events always carry a timestamp).
func (g *GroundTruth) NextStat(user, code string, r *rand.Rand, next func(prev float64) float64, probes bool) StatEvent {
	u := g.user(user)
	u.mu.Lock()
	defer u.mu.Unlock()
	return g.nextLocked(u.stat(code), r, next, next == nil && probes && timestampless(user, code), false)
}

// NextPair hands out two events of (user, code) with the same timestamp (none on a timestampless
// stream), the second with the greater id and value: sent second first, they probe whether the
// target orders a tie by id rather than by arrival.
func (g *GroundTruth) NextPair(user, code string, r *rand.Rand) [2]StatEvent {
	u := g.user(user)
	u.mu.Lock()
	defer u.mu.Unlock()
	st := u.stat(code)
	tsless := timestampless(user, code)
	a := g.nextLocked(st, r, nil, tsless, false)
	return [2]StatEvent{a, g.nextLocked(st, r, nil, tsless, !tsless)}
}

// nextLocked makes the stream's next event; u.mu is held. tie repeats the previous timestamp.
func (g *GroundTruth) nextLocked(st *truthStat, r *rand.Rand, next func(prev float64) float64, tsless, tie bool) StatEvent {
	e := StatEvent{ID: runEventIDs.next()}
	switch {
	case tsless:
	case tie:
		e.TS = st.lastTS
	default:
		e.TS = time.Now().UTC().Truncate(time.Microsecond)
		if !e.TS.After(st.lastTS) {
			e.TS = st.lastTS.Add(time.Microsecond)
		}
	}
	switch {
	case next != nil:
		e.Value = next(st.lastVal)
	case g.mode == ValuesRandom:
		e.Value = float64(r.IntN(1000))
	default:
		e.Value = st.lastVal + float64(1+r.IntN(5))
	}
	e.Inc = e.Value - st.lastVal
	if !e.TS.IsZero() {
		st.lastTS = e.TS
	}
	st.lastVal = e.Value
	return e
}

// AckStat records an acknowledged stat event (the greatest by StatEvent.After decides).
func (g *GroundTruth) AckStat(user, code string, e StatEvent) {
	g.acked.Add(1)
	u := g.user(user)
	u.mu.Lock()
	defer u.mu.Unlock()
	st := u.stat(code)
	if !st.acked || e.After(st.ack) {
		st.ack = e
	}
	if !st.acked || e.Value > st.ackMax {
		st.ackMax = e.Value
	}
	st.acked = true
}

// UncertainStat records a stat event that may have been applied although it was not acknowledged.
func (g *GroundTruth) UncertainStat(user, code string, e StatEvent) {
	g.reject(true)
	u := g.user(user)
	u.mu.Lock()
	defer u.mu.Unlock()
	st := u.stat(code)
	st.uncertain = append(st.uncertain, e)
}

// UncertainLogin records a login that may have been counted although it was not acknowledged.
func (g *GroundTruth) UncertainLogin(user string) {
	g.reject(true)
	u := g.user(user)
	u.mu.Lock()
	u.uncertainLogins++
	u.mu.Unlock()
}

// AckLogin records an acknowledged login event.
func (g *GroundTruth) AckLogin(user string) {
	g.acked.Add(1)
	u := g.user(user)
	u.mu.Lock()
	u.logins++
	u.mu.Unlock()
}

// Reject counts an event that was refused (certainly not applied).
func (g *GroundTruth) Reject() { g.reject(false) }

func (g *GroundTruth) reject(uncertain bool) {
	g.rejected.Add(1)
	if uncertain {
		g.uncertain.Add(1)
	}
}

// GroundTruthFile is the ground_truth.json document.
type GroundTruthFile = runresult.GroundTruthFile

// Snapshot returns the acknowledged state and the uncertain events; users with neither are omitted.
func (g *GroundTruth) Snapshot() GroundTruthFile {
	f := GroundTruthFile{Namespace: g.namespace, ValueMode: g.mode, EventsAcked: g.acked.Load(),
		EventsRejected: g.rejected.Load(), EventsUncertain: g.uncertain.Load(), Users: map[string]runresult.GroundTruthUser{}}
	add := func(id string, u *truthUser) {
		u.mu.Lock()
		defer u.mu.Unlock()
		j := runresult.GroundTruthUser{Logins: u.logins, UncertainLogins: u.uncertainLogins, Stats: map[string]runresult.GroundTruthStat{}}
		for code, st := range u.stats {
			if !st.acked && len(st.uncertain) == 0 {
				continue
			}
			s := runresult.GroundTruthStat{Acked: st.acked}
			if st.acked {
				s.Value, s.Timestamp, s.ID, s.Max = st.ack.Value, st.ack.Timestamp(), st.ack.ID, st.ackMax
			}
			for _, e := range st.uncertain {
				s.Uncertain = append(s.Uncertain, runresult.GroundTruthEvent{Value: e.Value, Timestamp: e.Timestamp(), ID: e.ID})
			}
			j.Stats[code] = s
		}
		if j.Logins > 0 || j.UncertainLogins > 0 || len(j.Stats) > 0 {
			f.Users[id] = j
		}
	}
	for id, u := range g.users {
		add(id, u)
	}
	g.extraMu.Lock()
	for id, u := range g.extra {
		add(id, u)
	}
	g.extraMu.Unlock()
	return f
}

// WriteArtifact writes the snapshot as ground_truth.json (loadgen.Artifact).
func (g *GroundTruth) WriteArtifact(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(g.Snapshot())
}
