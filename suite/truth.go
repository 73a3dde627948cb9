package suite

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// GroundTruth is the generator's ground_truth.json: what the events it saw acknowledged imply.
type GroundTruth struct {
	Namespace       string `json:"namespace"`
	ValueMode       string `json:"valueMode"`
	EventsAcked     int64  `json:"eventsAcked"`
	EventsRejected  int64  `json:"eventsRejected"`
	EventsUncertain int64  `json:"eventsUncertain"`
	Users           map[string]struct {
		Logins int `json:"logins"`
		Stats  map[string]struct {
			Value     float64 `json:"value"`
			Timestamp string  `json:"timestamp"`
		} `json:"stats"`
	} `json:"users"`
}

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
// seeding before them: the state any correct implementation must show. Stats are last-writer-wins
// by event time with their maximum kept (completion is sticky); logins count once per event.
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

// Stat records an acknowledged stat value for user at event time at.
func (t *Truth) Stat(user, key string, v float64, at time.Time) {
	s := t.stats[[2]string{user, key}]
	if s == nil {
		t.stats[[2]string{user, key}] = &statTruth{value: v, max: v, at: at}
		return
	}
	if !at.Before(s.at) {
		s.value, s.at = v, at
	}
	s.max = math.Max(s.max, v)
}

// Logins adds n acknowledged logins (each a distinct event) to user's login count.
func (t *Truth) Logins(user string, n int) {
	if n == 0 {
		return
	}
	k := [2]string{user, challenges.LoginStatKey}
	s := t.stats[k]
	if s == nil {
		s = &statTruth{}
		t.stats[k] = s
	}
	s.value += float64(n)
	s.max = s.value
}

// Merge adds a level's ground truth. Stats that drive no goal of cat are left out: an
// implementation need not store them.
func (t *Truth) Merge(gt *GroundTruth, cat *challenges.Catalog) error {
	if gt.ValueMode != "" && gt.ValueMode != "monotonic" {
		t.Monotonic = false
	}
	for user, u := range gt.Users {
		if len(cat.GoalsForStatKey(challenges.LoginStatKey)) > 0 {
			t.Logins(user, u.Logins)
		}
		for code, s := range u.Stats {
			if len(cat.GoalsForStatKey(code)) == 0 {
				continue
			}
			at, err := time.Parse(time.RFC3339Nano, s.Timestamp)
			if err != nil {
				return fmt.Errorf("ground truth %s %s: timestamp %q: %w", user, code, s.Timestamp, err)
			}
			t.Stat(user, code, s.Value, at)
		}
	}
	return nil
}

// Value is the value any correct implementation stores for (user, key), and whether any event set it.
func (t *Truth) Value(user, key string) (float64, bool) {
	s, ok := t.stats[[2]string{user, key}]
	if !ok {
		return 0, false
	}
	return s.value, true
}

// Values lists every (user, stat key) with its value.
func (t *Truth) Values() map[[2]string]float64 {
	out := make(map[[2]string]float64, len(t.stats))
	for k, s := range t.stats {
		out[k] = s.value
	}
	return out
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
		var v, m float64
		if s != nil {
			v, m = s.value, s.max
			if def.StatKey() == challenges.LoginStatKey {
				v, m = v+priorLogins, m+priorLogins
			}
		}
		target := float64(def.Requirement.TargetValue)
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
	}
	if len(listed) != cat.NumGoals() {
		return fmt.Errorf("%d goals listed, the catalog has %d", len(listed), cat.NumGoals())
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
