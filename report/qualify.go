package report

import (
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// A maximum is only as good as the conditions it was measured under: what state the database
// started in, how the event handler acknowledged events, whether the shared host had CPU to spare,
// and whether the level was repeated. maxFigure is the one way every document states a
// scenario's maximum; maxConditions are the facts it holds under, each read from the results.

// maxFigure is a scenario's maximum as every document states it: "1,130 RPS", "≥ 1,000 EPS",
// "100 RPS + 500 EPS", or "none" when no level passed.
func (s *Scenario) maxFigure() string {
	o := s.outcome()
	if o.Best == nil {
		return "none"
	}
	f := levelFigure(o.Best)
	if s.lowerBound() {
		f = "≥ " + f
	}
	return f
}

// levelFigure is a level's rates with separators ("1,130 RPS", "100 RPS + 500 EPS").
func levelFigure(l *runresult.LevelResult) string {
	var parts []string
	if l.RPS > 0 {
		parts = append(parts, inum(int64(l.RPS))+" RPS")
	}
	if l.EPS > 0 {
		parts = append(parts, inum(int64(l.EPS))+" EPS")
	}
	if len(parts) == 0 {
		return l.Level
	}
	return strings.Join(parts, " + ")
}

// lowerBound: the scenario did not find the service's own limit (smoke, one level, every level
// passed, or the next level was limited by the generator or the shared host).
func (s *Scenario) lowerBound() bool {
	o := s.outcome()
	switch {
	case o.Best == nil:
		return false
	case o.Smoke || o.Single, o.Failed == nil:
		return true
	}
	return runresult.LowerBound(o.Failed.Verdict)
}

// conditionsView are the facts a maximum holds under, for the "conditions" phrase.
type conditionsView struct {
	Seed       *runresult.SeedStats // nil: no progress was seeded (empty database)
	Events     bool                 // the scenario sends events (the ack mode matters)
	AckMode    string               // ACK_MODE of the event handler ("": not recorded)
	HostCPUs   int                  // 0: unknown
	HostPct    float64              // containers + generator, % of the host's CPUs, at the maximum's level
	HostBusy   bool                 // HostPct ≥ hostBusyPct
	NextHost   bool                 // the next level failed as host_limited
	NextGen    bool                 // the next level failed as generator_limited
	Bracket    *runresult.Bracket
	Retried    bool // a level of the scenario was re-run after failing
	Profile    string
	Duration   string
	Generator  float64 // the generator's cores at the maximum's level
	LowerBound bool
}

// conditions are the facts the scenario's maximum (or, without one, its highest level) holds under.
func (s *Scenario) conditions() *conditionsView {
	o := s.outcome()
	l := o.Best
	if l == nil {
		l = o.Highest
	}
	if l == nil {
		return nil
	}
	c := &conditionsView{Seed: l.Seed, Events: l.Events != nil, AckMode: s.ackMode(), Bracket: s.Result.Bracket,
		Profile: s.Result.Profile, Duration: durationPerLevel(s), Generator: l.Loadgen.CPUCores, LowerBound: s.lowerBound()}
	if s.Manifest != nil {
		c.HostCPUs = s.Manifest.HostCPUs
	}
	if used, avail := s.hostUse(l); avail > 0 {
		c.HostPct = 100 * used / avail
		c.HostBusy = c.HostPct >= hostBusyPct
	}
	if o.Failed != nil {
		c.NextHost = o.Failed.Verdict == runresult.VerdictHost
		c.NextGen = o.Failed.Verdict == runresult.VerdictGenerator
	}
	for _, lv := range s.Result.Levels {
		c.Retried = c.Retried || lv.Retry
	}
	return c
}

// ackMode is the event handler's ACK_MODE as the manifest recorded it ("" when it did not).
func (s *Scenario) ackMode() string { return s.env("event-handler", "ACK_MODE") }

// headlineView is a scenario's maximum with its conditions: the "headline" phrase.
type headlineView struct {
	Name, Figure string
	Max          maxView
	Cond         *conditionsView
}

func (s *Scenario) headline() headlineView {
	return headlineView{Name: s.Name, Figure: s.maxFigure(), Max: s.maxView(), Cond: s.conditions()}
}
