package suite

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// GroundTruth is the generator's ground_truth.json (one type for the file, in runresult).
type GroundTruth = runresult.GroundTruthFile

// ReadGroundTruth reads a level's ground_truth.json.
func ReadGroundTruth(path string) (*GroundTruth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var gt GroundTruth
	if err := json.Unmarshal(data, &gt); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &gt, nil
}

// Truth is what every acknowledged event of a scenario implies so far, across levels and the
// seeding before them: the state any correct implementation must show. A stat's value is that of
// the event with the greatest (timestamp, id) — no timestamp orders first, ids bytewise — with its
// maximum kept (completion is sticky); logins count once per event. Events whose outcome the
// generator could not know (uncertain) are kept under their own user and stat: only they can
// explain a value there that the acknowledged events do not imply.
type Truth struct {
	stats map[[2]string]*statTruth // (user, stat key)
	// prior is what the API showed before the scenario's first event, for a target the suite
	// cannot reset (its earlier state is not known otherwise): user → goal → listed goal.
	prior map[string]map[string]APIGoal
	// Monotonic is false once a source's values were not monotonic per (user, stat): a level's
	// ground truth then holds its last value, not its maximum, so completions cannot be predicted.
	Monotonic bool
}

type statTruth struct {
	value, max float64
	at         time.Time
	id         string
	set        bool // an acknowledged event (or the seed) set it
	// uncertain: events that may have been applied; uncertainLogins: logins that may have counted.
	uncertain       []statEvent
	uncertainLogins int
}

type statEvent struct {
	value float64
	at    time.Time
	id    string
}

// after is the contract's order: greater timestamp, then greater id bytewise.
func after(at time.Time, id string, oat time.Time, oid string) bool {
	if !at.Equal(oat) {
		return at.After(oat)
	}
	return id > oid
}

func (t *Truth) stat(user, key string) *statTruth {
	k := [2]string{user, key}
	s := t.stats[k]
	if s == nil {
		s = &statTruth{}
		t.stats[k] = s
	}
	return s
}

// NewTruth is an empty state (an empty database).
func NewTruth() *Truth {
	return &Truth{stats: map[[2]string]*statTruth{}, prior: map[string]map[string]APIGoal{}, Monotonic: true}
}

// Prior records what the API listed for user before any event of this truth was sent: the state a
// target that cannot be reset started from. Goals whose stat no later event touched must still
// show it; a completion shown then stays (completion is sticky).
func (t *Truth) Prior(user string, goals []APIGoal) {
	m := make(map[string]APIGoal, len(goals))
	for _, g := range goals {
		m[g.GoalID] = g
	}
	t.prior[user] = m
}

// Stat records an acknowledged stat value for user at event time at (a seeded value: no id).
func (t *Truth) Stat(user, key string, v float64, at time.Time) { t.statEvent(user, key, v, at, "") }

func (t *Truth) statEvent(user, key string, v float64, at time.Time, id string) {
	s := t.stat(user, key)
	if !s.set {
		s.value, s.max, s.at, s.id, s.set = v, v, at, id, true
		return
	}
	if after(at, id, s.at, s.id) {
		s.value, s.at, s.id = v, at, id
	}
	s.max = math.Max(s.max, v)
}

// Logins adds n acknowledged logins (each a distinct event) to user's login count.
func (t *Truth) Logins(user string, n int) {
	if n == 0 {
		return
	}
	s := t.stat(user, challenges.LoginStatKey)
	s.value += float64(n)
	s.max, s.set = s.value, true
}

// Merge adds a level's ground truth, its uncertain events under their own user and stat. Stats
// that drive no goal of cat are left out: an implementation need not store them.
func (t *Truth) Merge(gt *GroundTruth, cat *challenges.Catalog) error {
	if gt.ValueMode != "" && gt.ValueMode != "monotonic" {
		t.Monotonic = false
	}
	logins := len(cat.GoalsForStatKey(challenges.LoginStatKey)) > 0
	for user, u := range gt.Users {
		if logins {
			t.Logins(user, u.Logins)
			if u.UncertainLogins > 0 {
				t.stat(user, challenges.LoginStatKey).uncertainLogins += u.UncertainLogins
			}
		}
		for code, s := range u.Stats {
			if len(cat.GoalsForStatKey(code)) == 0 {
				continue
			}
			if s.Acked || s.Timestamp != "" { // files before "acked" existed held acknowledged stats only
				at, err := eventTime(s.Timestamp)
				if err != nil {
					return fmt.Errorf("ground truth %s %s: %w", user, code, err)
				}
				t.statEvent(user, code, s.Value, at, s.ID)
				st := t.stat(user, code)
				st.max = math.Max(st.max, s.Max)
			}
			for _, e := range s.Uncertain {
				at, err := eventTime(e.Timestamp)
				if err != nil {
					return fmt.Errorf("ground truth %s %s (uncertain): %w", user, code, err)
				}
				st := t.stat(user, code)
				st.uncertain = append(st.uncertain, statEvent{e.Value, at, e.ID})
			}
		}
	}
	return nil
}

// eventTime parses a ground truth timestamp; "" is an event without one (the zero time).
func eventTime(ts string) (time.Time, error) {
	if ts == "" {
		return time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return at, fmt.Errorf("timestamp %q: %w", ts, err)
	}
	return at, nil
}

// Candidate is one state a (user, stat) may correctly be in: its value and maximum, and whether
// it needs an uncertain event to have been applied.
type Candidate struct {
	Value, Max float64
	Uncertain  bool
}

// Candidates are the states (user, key) may correctly show: what the acknowledged events imply,
// then each that an uncertain event of this very stat would leave if it was applied (a newer one
// sets the value, any raises the maximum; each uncertain login may have counted). None when no
// event touched it.
func (t *Truth) Candidates(user, key string) []Candidate {
	s, ok := t.stats[[2]string{user, key}]
	if !ok {
		return nil
	}
	base := Candidate{Value: s.value, Max: s.max}
	out := []Candidate{base}
	if !s.set {
		out = []Candidate{{}} // nothing acknowledged: nothing stored is correct
	}
	for i := 1; i <= s.uncertainLogins; i++ {
		out = append(out, Candidate{Value: base.Value + float64(i), Max: base.Max + float64(i), Uncertain: true})
	}
	for _, e := range s.uncertain {
		c := Candidate{Value: base.Value, Max: math.Max(base.Max, e.value), Uncertain: true}
		if !s.set || after(e.at, e.id, s.at, s.id) {
			c.Value = e.value
		}
		if !s.set {
			c.Max = e.value
		}
		out = append(out, c)
	}
	return out
}

// EventID is the id of the acknowledged event that decides (user, key)'s value ("" for a seeded
// value, a login count, or none).
func (t *Truth) EventID(user, key string) string {
	if s, ok := t.stats[[2]string{user, key}]; ok && s.set {
		return s.id
	}
	return ""
}

func (t *Truth) decidingText(user, key string) string {
	if id := t.EventID(user, key); id != "" {
		return ", deciding acknowledged event " + id
	}
	return ""
}

// Touched reports whether any event of (user, key) — acknowledged, seeded or uncertain — is known.
func (t *Truth) Touched(user, key string) bool {
	_, ok := t.stats[[2]string{user, key}]
	return ok
}

// Outcome of comparing a stored value with the truth.
type Outcome int

// Outcomes of CompareStored.
const (
	Match     Outcome = iota // what the acknowledged events imply
	Explained                // differs, but an uncertain event of this very (user, stat) explains it
	Lost                     // below what the acknowledged events imply (or missing)
	Extra                    // above it (or stored without an event), and no uncertain event of its own explains it
)

// CompareStored judges a stored value of (user, key) (stored false: nothing stored) by attribution:
// a difference is explained only by an uncertain event of the same user and stat.
func (t *Truth) CompareStored(user, key string, got float64, stored bool) Outcome {
	cands := t.Candidates(user, key)
	if len(cands) == 0 {
		if stored {
			return Extra
		}
		return Match
	}
	s := t.stats[[2]string{user, key}]
	if !stored {
		if !s.set {
			return Match
		}
		return Lost
	}
	for _, c := range cands {
		if math.Abs(c.Value-got) <= 1e-9 {
			if c.Uncertain {
				return Explained
			}
			return Match
		}
	}
	if s.set && got < s.value-1e-9 {
		return Lost
	}
	return Extra
}

// Keys lists every (user, stat key) an acknowledged or uncertain event touched.
func (t *Truth) Keys() [][2]string {
	out := make([][2]string, 0, len(t.stats))
	for k := range t.stats {
		out = append(out, k)
	}
	return out
}

// Value is the value any correct implementation stores for (user, key), and whether any event set it.
func (t *Truth) Value(user, key string) (float64, bool) {
	s, ok := t.stats[[2]string{user, key}]
	if !ok || !s.set {
		return 0, false
	}
	return s.value, true
}

// Users lists the users any event touched, sorted.
func (t *Truth) Users() []string {
	seen := map[string]bool{}
	for k := range t.stats {
		seen[k[0]] = true
	}
	out := make([]string, 0, len(seen))
	for u := range seen {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// APIGoal is one goal as GET /v1/challenges lists it (the contract's fields the check reads).
type APIGoal struct {
	GoalID   string `json:"goalId"`
	Progress int64  `json:"progress"`
	Status   string `json:"status"`
}

// CheckUserGoals compares a user's listed goals with what the truth implies, by the contract alone:
// a goal whose stat's maximum reached its target is completed or claimed; any other goal shows the
// stat's value as progress, in_progress when above zero, else not_started. The progress of a
// completed goal is not compared (implementations cap it differently). Every catalog goal must be
// listed once. Without monotonic values only progress below the target is compared.
func (t *Truth) CheckUserGoals(user string, goals []APIGoal, cat *challenges.Catalog) error {
	listed := map[string]bool{}
	prior, hasPrior := t.prior[user]
	// Logins add up: with an earlier state, its count (what its open login goals showed as
	// progress) comes before this run's.
	var priorLogins float64
	for id, p := range prior {
		if def, ok := cat.Goal(id); ok && def.StatKey() == challenges.LoginStatKey && p.Status != "completed" && p.Status != "claimed" {
			priorLogins = float64(p.Progress)
		}
	}
	for _, g := range goals {
		def, ok := cat.Goal(g.GoalID)
		if !ok {
			return fmt.Errorf("unknown goal %s", g.GoalID)
		}
		if listed[g.GoalID] {
			return fmt.Errorf("goal %s listed twice", g.GoalID)
		}
		listed[g.GoalID] = true
		s := t.stats[[2]string{user, def.StatKey()}]
		done := g.Status == "completed" || g.Status == "claimed"
		if hasPrior {
			p := prior[g.GoalID]
			pDone := p.Status == "completed" || p.Status == "claimed"
			switch {
			case pDone && !done:
				return fmt.Errorf("goal %s: %s before the load, %s after (a completion was lost)", g.GoalID, p.Status, g.Status)
			case pDone:
				continue
			case s == nil:
				// No event of this run touched the stat: the goal shows what it showed before.
				if g.Status != p.Status || g.Progress != p.Progress {
					return fmt.Errorf("goal %s: progress %d status %s, but no acknowledged event touched it since it showed %d %s",
						g.GoalID, g.Progress, g.Status, p.Progress, p.Status)
				}
				continue
			}
			// Touched: this run's events are newer than anything before, and a goal open before
			// had a maximum below its target, so the comparison below holds as for a fresh state.
		}
		cands := t.Candidates(user, def.StatKey())
		if len(cands) == 0 {
			cands = []Candidate{{}}
		}
		var err error
		for _, c := range cands {
			if def.StatKey() == challenges.LoginStatKey {
				c.Value, c.Max = c.Value+priorLogins, c.Max+priorLogins
			}
			if err = t.checkGoal(g, float64(def.Requirement.TargetValue), c); err == nil {
				break // a state the acknowledged (and, attributed, the uncertain) events allow
			}
		}
		if err != nil {
			return fmt.Errorf("%w (stat %s%s)", err, def.StatKey(), t.decidingText(user, def.StatKey()))
		}
	}
	if len(listed) != cat.NumGoals() {
		return fmt.Errorf("%d goals listed, the catalog has %d", len(listed), cat.NumGoals())
	}
	return nil
}

// checkGoal compares one listed goal with one candidate state of its stat (see CheckUserGoals).
func (t *Truth) checkGoal(g APIGoal, target float64, c Candidate) error {
	v, m := c.Value, c.Max
	done := g.Status == "completed" || g.Status == "claimed"
	switch {
	case m >= target:
		if !done && t.Monotonic {
			return fmt.Errorf("goal %s: status %s progress %d, but acknowledged events reached %g ≥ target %g", g.GoalID, g.Status, g.Progress, m, target)
		}
	case done:
		if t.Monotonic {
			return fmt.Errorf("goal %s: %s, but acknowledged events reached only %g < target %g", g.GoalID, g.Status, m, target)
		}
	default:
		want := "not_started"
		if v > 0 {
			want = "in_progress"
		}
		if g.Progress != int64(math.Floor(v)) || g.Status != want {
			return fmt.Errorf("goal %s: progress %d status %s, acknowledged events imply %d %s", g.GoalID, g.Progress, g.Status, int64(math.Floor(v)), want)
		}
	}
	return nil
}

// SampleUsers picks up to n of users spread evenly (all when n ≤ 0 or n ≥ len), deterministic.
func SampleUsers(users []string, n int) []string {
	if n <= 0 || n >= len(users) {
		return users
	}
	out := make([]string, 0, n)
	step := float64(len(users)) / float64(n)
	for i := range n {
		out = append(out, users[int(float64(i)*step)])
	}
	return out
}
