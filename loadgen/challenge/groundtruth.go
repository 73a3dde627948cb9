package challenge

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Value rules of the stat events (the plan's eventValues).
const (
	ValuesMonotonic = "monotonic"
	ValuesRandom    = "random"
)

// GroundTruth records what the event handler ACKNOWLEDGED, so the suite can
// compare the database with it exactly.
type GroundTruth struct {
	namespace string
	mode      string
	users     map[string]*truthUser // pre-filled: read-only during the run
	extraMu   sync.Mutex
	extra     map[string]*truthUser

	acked, rejected, uncertain atomic.Int64
}

type truthUser struct {
	mu     sync.Mutex
	logins int
	stats  map[string]*truthStat
}

type truthStat struct {
	lastTS  time.Time // last timestamp handed out (acknowledged or not)
	lastVal float64
	ackTS   time.Time
	ackVal  float64
	acked   bool
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

// NextStat hands out the timestamp and value of the next stat event of
// (user, code) under one lock, so timestamp order equals value order in
// monotonic mode. Timestamps are strictly increasing per (user, code) at
// microsecond granularity (PostgreSQL's timestamp precision) so no two
// events of one stat tie. next, when non-nil, overrides the value rule.
func (g *GroundTruth) NextStat(user, code string, r *rand.Rand, next func(prev float64) float64) (ts time.Time, value, inc float64) {
	u := g.user(user)
	u.mu.Lock()
	defer u.mu.Unlock()
	st := u.stat(code)
	ts = time.Now().UTC().Truncate(time.Microsecond)
	if !ts.After(st.lastTS) {
		ts = st.lastTS.Add(time.Microsecond)
	}
	var v float64
	switch {
	case next != nil:
		v = next(st.lastVal)
	case g.mode == ValuesRandom:
		v = float64(r.IntN(1000))
	default:
		v = st.lastVal + float64(1+r.IntN(5))
	}
	inc = v - st.lastVal
	st.lastTS, st.lastVal = ts, v
	return ts, v, inc
}

// AckStat records an acknowledged stat event (latest by timestamp wins).
func (g *GroundTruth) AckStat(user, code string, ts time.Time, v float64) {
	g.acked.Add(1)
	u := g.user(user)
	u.mu.Lock()
	defer u.mu.Unlock()
	st := u.stat(code)
	if !st.acked || ts.After(st.ackTS) {
		st.ackTS, st.ackVal, st.acked = ts, v, true
	}
}

// AckLogin records an acknowledged login event.
func (g *GroundTruth) AckLogin(user string) {
	g.acked.Add(1)
	u := g.user(user)
	u.mu.Lock()
	u.logins++
	u.mu.Unlock()
}

// Reject counts an event that was not acknowledged; uncertain marks
// outcomes where the server may still have applied it (deadline, cancel).
func (g *GroundTruth) Reject(uncertain bool) {
	g.rejected.Add(1)
	if uncertain {
		g.uncertain.Add(1)
	}
}

type truthStatJSON struct {
	Value     float64 `json:"value"`
	Timestamp string  `json:"timestamp"`
}

type truthUserJSON struct {
	Logins int                      `json:"logins"`
	Stats  map[string]truthStatJSON `json:"stats"`
}

// GroundTruthFile is the ground_truth.json document.
type GroundTruthFile struct {
	Namespace      string `json:"namespace"`
	ValueMode      string `json:"valueMode"`
	EventsAcked    int64  `json:"eventsAcked"`
	EventsRejected int64  `json:"eventsRejected"`
	// EventsUncertain were not acknowledged but may have been applied
	// (deadline exceeded / cancelled): an exact comparison is only valid when 0.
	EventsUncertain int64                    `json:"eventsUncertain"`
	Users           map[string]truthUserJSON `json:"users"`
}

// Snapshot returns the acknowledged state; users without acked events are omitted.
func (g *GroundTruth) Snapshot() GroundTruthFile {
	f := GroundTruthFile{Namespace: g.namespace, ValueMode: g.mode, EventsAcked: g.acked.Load(),
		EventsRejected: g.rejected.Load(), EventsUncertain: g.uncertain.Load(), Users: map[string]truthUserJSON{}}
	add := func(id string, u *truthUser) {
		u.mu.Lock()
		defer u.mu.Unlock()
		j := truthUserJSON{Logins: u.logins, Stats: map[string]truthStatJSON{}}
		for code, st := range u.stats {
			if st.acked {
				j.Stats[code] = truthStatJSON{Value: st.ackVal, Timestamp: st.ackTS.Format(time.RFC3339Nano)}
			}
		}
		if j.Logins > 0 || len(j.Stats) > 0 {
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
