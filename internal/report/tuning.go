package report

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/internal/runresult"
)

// Tuning is <results>/tuning/result.json, written by the suite's tuning sweep: one row per
// (setting, value) run, each the result of stepping the combined load with that value.
type Tuning struct {
	runresult.TuningFile
	Manifest *harness.Manifest `json:"-"` // tuning/manifest.json when present
}

func loadTuning(root string) (*Tuning, error) {
	f, err := runresult.ReadTuning(root)
	if err != nil || f == nil {
		return nil, err
	}
	t := &Tuning{TuningFile: *f}
	var m harness.Manifest
	if ok, err := runresult.ReadJSON(filepath.Join(root, runresult.TuningDir, "manifest.json"), &m); err != nil {
		return nil, err
	} else if ok {
		t.Manifest = &m
	}
	return t, nil
}

// NotMeasuredTuning is the statement made when the results hold no sweep.
const NotMeasuredTuning = "No tuning sweep was measured in these results"

// TuningDoc renders docs/PERFORMANCE_TUNING.md.
func (r *Results) TuningDoc(o Options) string {
	d := &doc{}
	r.header(d, "Performance Tuning Guide - M2")
	r.measuredEffects(d)
	r.currentSettings(d)
	d.h(2, "Evidence-Based Recommendations")
	d.p("Each item names the measurement it rests on. None of them is a measured effect of changing the setting unless it cites `tuning/result.json`.")
	d.bullets(r.recommendations()...)
	d.source(r.files("result.json", "manifest.json")...)
	r.alerts(d, o)
	r.prodGuide(d)
	return d.String()
}

func (r *Results) measuredEffects(d *doc) {
	d.h(2, "Measured Effects of Settings")
	t := r.Tuning
	if t == nil || len(t.Rows) == 0 {
		d.p("%s: `%s/tuning/result.json` does not exist (or has no rows). No effect of changing a setting is claimed below; the settings in force and the evidence from the scenarios are listed instead.", NotMeasuredTuning, r.Dir)
		return
	}
	var facts []string
	if t.Profile != "" {
		facts = append(facts, "profile "+t.Profile)
	}
	if t.DurationPerLevel != "" {
		facts = append(facts, t.DurationPerLevel+" per level")
	}
	if m := t.Manifest; m != nil {
		facts = append(facts, "run "+m.Date.UTC().Format("2006-01-02 15:04:05 UTC"), "git "+m.GitRevision+map[bool]string{true: " (dirty)", false: ""}[m.GitDirty])
	}
	if len(facts) > 0 {
		d.p("Sweep: %s.", strings.Join(facts, ", "))
	}
	current := r.currentValues()
	var params []string
	seen := map[string]bool{}
	for _, row := range t.Rows {
		if !seen[row.Param] {
			seen[row.Param] = true
			params = append(params, row.Param)
		}
	}
	for _, p := range params {
		d.h(3, p)
		tb := newTable("Value", "Max sustainable", "Max RPS", "Max EPS", "API p95", "Event p95", "E2E p50", "E2E p95", "Why the next level failed")
		var best *runresult.TuningRow
		for i := range t.Rows {
			row := &t.Rows[i]
			if row.Param != p {
				continue
			}
			v := row.Value
			if current[p] == v {
				v += " (current)"
			}
			tb.add(v, orDash(row.MaxSustainable), inum(int64(row.MaxRPS)), inum(int64(row.MaxEPS)), msOrDash(row.APIP95ms), msOrDash(row.EventsP95ms),
				msOrDash(row.E2EP50ms), msOrDash(row.E2EP95ms), orDash(strings.Join(row.VerdictReasons, "; ")))
			if best == nil || row.MaxRPS+row.MaxEPS > best.MaxRPS+best.MaxEPS {
				best = row
			}
		}
		d.table(tb)
		d.source(r.src("tuning", "result.json"))
		if best != nil {
			d.p("Highest measured maximum for %s (ranked by max RPS + max EPS): **%s = %s** (%s).", p, p, best.Value, orDash(best.MaxSustainable))
		}
	}
}

func msOrDash(v float64) string {
	if v == 0 {
		return "–"
	}
	return ms(v)
}

// settingDefs are the settings read back from the manifests.
var settingDefs = []struct{ name, container, key string }{
	{"DB_MAX_OPEN_CONNS", "challenge-service", "DB_MAX_OPEN_CONNS"},
	{"DB_MAX_OPEN_CONNS", "event-handler", "DB_MAX_OPEN_CONNS"},
	{"BUFFER_FLUSH_INTERVAL", "event-handler", "BUFFER_FLUSH_INTERVAL"},
	{"BUFFER_SIZE_LIMIT", "event-handler", "BUFFER_SIZE_LIMIT"},
	{"MOCK_AGS_LATENCY_MIN_MS", "challenge-service", "MOCK_AGS_LATENCY_MIN_MS"},
	{"MOCK_AGS_LATENCY_MAX_MS", "challenge-service", "MOCK_AGS_LATENCY_MAX_MS"},
}

// currentValues maps a setting to its value when every scenario agrees.
func (r *Results) currentValues() map[string]string {
	out := map[string]string{}
	for _, sd := range settingDefs {
		v := r.distinct(func(s *Scenario) string { return s.env(sd.container, sd.key) })
		if !strings.Contains(v, "(") && v != "not recorded" {
			out[sd.name] = v
		}
	}
	return out
}

// postgresSettings are the `-c name=value` arguments of the postgres command.
func postgresSettings(m *harness.Manifest) [][2]string {
	var out [][2]string
	cmd := m.Containers["postgres"].Cmd
	for i := 0; i+1 < len(cmd); i++ {
		if cmd[i] == "-c" {
			k, v, _ := strings.Cut(cmd[i+1], "=")
			out = append(out, [2]string{k, v})
			i++
		}
	}
	return out
}

func (r *Results) currentSettings(d *doc) {
	d.h(2, "Current Settings (as measured)")
	t := newTable("Setting", "Container", "Value")
	for _, sd := range settingDefs {
		t.add(sd.name, sd.container, r.distinct(func(s *Scenario) string { return s.env(sd.container, sd.key) }))
	}
	keys := map[string]bool{}
	var order []string
	for _, s := range r.scenarios() {
		if s.Manifest == nil {
			continue
		}
		for _, kv := range postgresSettings(s.Manifest) {
			if !keys[kv[0]] {
				keys[kv[0]] = true
				order = append(order, kv[0])
			}
		}
	}
	for _, k := range order {
		t.add(k, "postgres (command line)", r.distinct(func(s *Scenario) string {
			if s.Manifest == nil {
				return ""
			}
			for _, kv := range postgresSettings(s.Manifest) {
				if kv[0] == k {
					return kv[1]
				}
			}
			return "default"
		}))
	}
	d.table(t)
	d.source(r.files("manifest.json")...)
	d.p("PostgreSQL settings not listed were left at the server's defaults.")
}

// recommendations are the evidence-tagged findings of the results.
func (r *Results) recommendations() []string {
	var out []string
	add := func(rec, evidence string) { out = append(out, fmt.Sprintf("**%s** — Evidence: %s", rec, evidence)) }
	r.poolRecs(add)
	r.bufferRecs(add)
	r.dbRecs(add)
	r.profileRecs(add)
	r.cpuRecs(add)
	if len(out) == 0 {
		out = append(out, "No recommendation: these results hold no evidence a setting limited the service.")
	}
	return out
}
