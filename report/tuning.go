package report

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Tuning is the suite's tuning sweep: tuning/result.json (one row per setting value, each the
// result of stepping the combined load with that value) and each value's own scenario directory
// (tuning/<PARAM>-<value>/: result.json, manifest.json, levels).
type Tuning struct {
	runresult.TuningFile
	Settings map[string]*Scenario // by directory name, e.g. DB_MAX_OPEN_CONNS-10
	Partial  bool                 // no tuning/result.json (interrupted): rows rebuilt from the directories
}

func loadTuning(root string) (*Tuning, error) {
	f, err := runresult.ReadTuning(root)
	if err != nil {
		return nil, err
	}
	t := &Tuning{Settings: map[string]*Scenario{}}
	if f != nil {
		t.TuningFile = *f
	}
	dir := filepath.Join(root, runresult.TuningDir)
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		// A link to a run elsewhere counts as its directory (a results directory assembled from runs).
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err != nil || !fi.IsDir() {
			continue
		}
		s, err := loadScenario(dir, e.Name())
		if err != nil {
			return nil, err
		}
		if s != nil {
			s.Name = runresult.TuningDir + "/" + e.Name()
			t.Settings[e.Name()] = s
		}
	}
	if f == nil {
		if len(t.Settings) == 0 {
			return nil, nil
		}
		t.Partial = true
		for _, name := range slices.Sorted(maps.Keys(t.Settings)) {
			param, value, ok := strings.Cut(name, "-")
			if !ok {
				continue
			}
			res := t.Settings[name].Result
			t.Rows = append(t.Rows, runresult.TuningRow{Param: param, Value: value, MaxSustainable: res.MaxSustainable,
				MaxRPS: res.MaxRPS, MaxEPS: res.MaxEPS, VerdictReasons: res.StopReasons})
			if t.Profile == "" {
				t.Profile = res.Profile
			}
		}
	}
	return t, nil
}

// setting is the scenario directory of a row, or nil.
func (t *Tuning) setting(row runresult.TuningRow) *Scenario {
	return t.Settings[runresult.TuningRunDir(row.Param, row.Value)]
}

// scenarios are the settings' runs in row order.
func (t *Tuning) scenarios() []*Scenario {
	var out []*Scenario
	for _, row := range t.Rows {
		if s := t.setting(row); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// NotMeasuredTuning is the statement made when the results hold no sweep.
const NotMeasuredTuning = "No tuning sweep was measured in these results"

// tuningView is what templates/tuning.md.tmpl shows.
type tuningView struct {
	Header          headerView
	NotMeasured     string // NotMeasuredTuning
	Dir             string
	Sweep           *sweepView
	Settings        [][]string
	SettingsSources []string
	Recs            []string
	RecSources      []string
	Alerts          alertsView
}

// sweepView is the tuning sweep: how it ran, its repeatability and a table per parameter.
type sweepView struct {
	Facts   string
	Partial bool
	Repeat  *repeatView
	Params  []paramView
	Source  string
}

type repeatView struct {
	Runs []runresult.TuningRow
	Tied bool
}

type paramView struct {
	Name        string
	Charts      []Chart
	Rows        [][]string
	Tied, Noisy bool
	NonePassed  bool
	Best        *runresult.TuningRow
	Common      string // the highest level every value held ("": none)
	Side        [][]string
	SideSources []string
}

// TuningDoc renders docs/PERFORMANCE_TUNING.md.
func (r *Results) TuningDoc(o Options, charts []Chart) (string, error) {
	v := tuningView{Header: r.headerView(), NotMeasured: NotMeasuredTuning, Dir: r.Dir, Sweep: r.sweepView(charts),
		Settings: r.currentSettings(), SettingsSources: r.files("manifest.json"), Recs: r.recommendations(),
		RecSources: r.files("result.json", "manifest.json"), Alerts: r.alertsView(o)}
	return renderDoc("tuning", v)
}

func (r *Results) sweepView(charts []Chart) *sweepView {
	t := r.Tuning
	if t == nil || len(t.Rows) == 0 {
		return nil
	}
	runs := t.scenarios()
	facts := []string{"profile " + orDash(t.Profile)}
	if t.DurationPerLevel != "" {
		facts = append(facts, t.DurationPerLevel+" per level")
	} else if len(runs) > 0 {
		facts = append(facts, distinctOver(runs, durationPerLevel)+" per level")
	}
	if len(runs) > 0 {
		facts = append(facts, "git "+distinctOver(runs, manifestFact(func(m *runresult.Manifest) string {
			return gitRevision(&runresult.Manifest{GitRevision: m.GitRevision[:min(12, len(m.GitRevision))], GitDirty: m.GitDirty})
		})))
		// The programs measured: the same image IDs mean the same code whatever the revision said.
		for _, c := range programs {
			facts = append(facts, c+" image "+distinctOver(runs, manifestFact(func(m *runresult.Manifest) string {
				return codeSpan(shortImageID(m.Containers[c].ImageID))
			})))
		}
	}
	v := &sweepView{Facts: strings.Join(facts, ", "), Partial: t.Partial, Source: r.src("tuning", "result.json")}
	if same := r.repeats(); len(same) >= 2 {
		v.Repeat = &repeatView{Runs: same, Tied: tiedMaxima(same)}
	}
	current := r.currentValues()
	var params []string
	for _, row := range t.Rows {
		if !slices.Contains(params, row.Param) {
			params = append(params, row.Param)
		}
	}
	noisy := r.noisy()
	for _, p := range params {
		rows := t.paramRows(p)
		label := func(row runresult.TuningRow) string {
			if current[p] == row.Value {
				return row.Value + " (current)"
			}
			return row.Value
		}
		pv := paramView{Name: p, Tied: tiedMaxima(rows), NonePassed: nonePassed(rows), Noisy: noisy, Charts: chartsNamed(charts, "sweep_"+p+".svg")}
		for i := range rows {
			row := &rows[i]
			pv.Rows = append(pv.Rows, []string{label(*row), orDash(row.MaxSustainable), inum(int64(row.MaxRPS)), inum(int64(row.MaxEPS)), orDash(strings.Join(row.VerdictReasons, "; "))})
			if pv.Best == nil || row.MaxRPS+row.MaxEPS > pv.Best.MaxRPS+pv.Best.MaxEPS {
				pv.Best = row
			}
		}
		pv.Common, pv.Side, pv.SideSources = r.sideBySide(rows, label)
		v.Params = append(v.Params, pv)
	}
	return v
}

// monotone: the maxima (RPS + EPS) never rise or never fall across the values in sweep order.
func monotone(rows []runresult.TuningRow) bool {
	up, down := true, true
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1].MaxRPS+rows[i-1].MaxEPS, rows[i].MaxRPS+rows[i].MaxEPS
		up = up && b >= a
		down = down && b <= a
	}
	return up || down
}

func tiedMaxima(rows []runresult.TuningRow) bool {
	if nonePassed(rows) {
		return false
	}
	for _, row := range rows[1:] {
		if row.MaxRPS != rows[0].MaxRPS || row.MaxEPS != rows[0].MaxEPS {
			return false
		}
	}
	return len(rows) > 1
}

// nonePassed: no value held any level, so the sweep says nothing about the maximum.
func nonePassed(rows []runresult.TuningRow) bool {
	for _, row := range rows {
		if row.MaxSustainable != "" {
			return false
		}
	}
	return true
}

// repeats are the sweep's runs of the current configuration (each parameter at its current value).
func (r *Results) repeats() []runresult.TuningRow {
	current := r.currentValues()
	var same []runresult.TuningRow
	for _, row := range r.Tuning.Rows {
		if current[row.Param] == row.Value {
			same = append(same, row)
		}
	}
	return same
}

// noisy: the current configuration's repeats reached different maxima.
func (r *Results) noisy() bool {
	same := r.repeats()
	return len(same) > 1 && !tiedMaxima(same)
}

// comparison is a parameter's values at the highest level every one of them held (common is ""
// when there is none): each row's level result, in row order, and the files they come from.
func (t *Tuning) comparison(rows []runresult.TuningRow) (common string, levels []*runresult.LevelResult, srcs [][]string) {
	var order []string // levels in the order the ladder ran them
	held := map[string]int{}
	for _, row := range rows {
		s := t.setting(row)
		if s == nil {
			return "", nil, nil
		}
		for _, l := range s.Result.Levels {
			if !slices.Contains(order, l.Level) {
				order = append(order, l.Level)
			}
			if l.Verdict == runresult.VerdictPass {
				held[l.Level]++
			}
		}
	}
	for _, lvl := range order {
		if held[lvl] == len(rows) {
			common = lvl
		}
	}
	if common == "" {
		return "", nil, nil
	}
	for _, row := range rows {
		s := t.setting(row)
		for i := range s.Result.Levels {
			if l := &s.Result.Levels[i]; l.Level == common {
				levels = append(levels, l)
				srcs = append(srcs, []string{s.Name, LevelDirName(*l), runresult.LevelFile})
				break
			}
		}
	}
	return common, levels, srcs
}

// paramRows are the sweep's rows of one parameter.
func (t *Tuning) paramRows(param string) []runresult.TuningRow {
	var rows []runresult.TuningRow
	for _, row := range t.Rows {
		if row.Param == param {
			rows = append(rows, row)
		}
	}
	return rows
}

// sideBySide compares a parameter's values at the highest level every one of them held: latency,
// E2E visibility, flush work and CPU per container, from each value's level.json.
func (r *Results) sideBySide(rows []runresult.TuningRow, label func(runresult.TuningRow) string) (string, [][]string, []string) {
	common, levels, srcs := r.Tuning.comparison(rows)
	if common == "" {
		return "", nil, nil
	}
	var tb [][]string
	var files []string
	for i, l := range levels {
		api, ev := "–", "–"
		if l.API != nil {
			api = ms(l.API.P95ms)
		}
		if l.Events != nil {
			ev = ms(l.Events.P95ms)
		}
		e50, e95, e99 := "–", "–", "–"
		if e := l.E2E; e != nil {
			e50, e95, e99 = ms(e.P50ms), ms(e.P95ms), ms(e.P99ms)
		}
		fl, favg, frows := "–", "–", "–"
		if f := l.Flush; f != nil {
			fl, favg, frows = inum(int64(f.Flushes)), ms(f.AvgMs), num(f.AvgEntries, 0)
		}
		tb = append(tb, []string{label(rows[i]), api, ev, e50, e95, e99, fl, favg, frows, cpuOf(l, "postgres"), cpuOf(l, "challenge-service"), cpuOf(l, "event-handler")})
		files = append(files, r.src(srcs[i]...))
	}
	return common, tb, files
}

// cpuSpread is the lowest and highest average CPU of a container across levels.
func cpuSpread(levels []*runresult.LevelResult, container string) (lo, hi float64, ok bool) {
	for _, l := range levels {
		rr, found := l.Resources[container]
		if !found {
			return 0, 0, false
		}
		if !ok || rr.CPUAvgPct < lo {
			lo = rr.CPUAvgPct
		}
		if !ok || rr.CPUAvgPct > hi {
			hi = rr.CPUAvgPct
		}
		ok = true
	}
	return lo, hi, ok
}

func cpuOf(l *runresult.LevelResult, container string) string {
	if rr, ok := l.Resources[container]; ok {
		return num(rr.CPUAvgPct, 0) + "%"
	}
	return "–"
}

// sweepRecs are the recommendations the tuning sweep measured: whether a parameter moved the
// maximum, and what each value costs at the level all of them held.
func (r *Results) sweepRecs(add addRec) {
	t := r.Tuning
	if t == nil {
		return
	}
	src := r.src("tuning", "result.json")
	for _, p := range []string{"DB_MAX_OPEN_CONNS", "BUFFER_FLUSH_INTERVAL"} {
		rows := t.paramRows(p)
		if len(rows) < 2 {
			continue
		}
		var maxima []string
		for _, row := range rows {
			maxima = append(maxima, row.Value+" → "+orDash(row.MaxSustainable))
		}
		if nonePassed(rows) {
			add(fmt.Sprintf("%s: no value held a level, so the sweep measured no effect on the maximum; re-run it from a level every value holds", p),
				fmt.Sprintf("%s (%s)", strings.Join(maxima, "; "), src))
		} else if tiedMaxima(rows) {
			add(fmt.Sprintf("%s does not move the maximum on this machine: every value measured held the same level", p),
				fmt.Sprintf("%s (%s)", strings.Join(maxima, "; "), src))
		} else if r.noisy() {
			add(fmt.Sprintf("%s: no effect on the maximum is established; the maxima differ, but the current configuration's repeats differed as much (see Repeatability)", p),
				fmt.Sprintf("%s (%s)", strings.Join(maxima, "; "), src))
		} else if monotone(rows) {
			add(fmt.Sprintf("%s moves the maximum, in one direction across the values measured: choose by its table and the side-by-side costs", p),
				fmt.Sprintf("%s (%s)", strings.Join(maxima, "; "), src))
		} else {
			add(fmt.Sprintf("%s shows no trend: the maxima differ without a direction across the values, which is what run-to-run noise at a boundary level looks like; repeat the sweep before acting on it", p),
				fmt.Sprintf("%s (%s)", strings.Join(maxima, "; "), src))
		}
		common, levels, _ := t.comparison(rows)
		if common == "" || p != "BUFFER_FLUSH_INTERVAL" {
			continue
		}
		var e2e []string
		for i, l := range levels {
			if l.E2E != nil {
				e2e = append(e2e, fmt.Sprintf("%s → p50 %s, p95 %s (PostgreSQL %s CPU)", rows[i].Value, ms(l.E2E.P50ms), ms(l.E2E.P95ms), cpuOf(l, "postgres")))
			}
		}
		if len(e2e) == 0 {
			continue
		}
		ev := fmt.Sprintf("at %s: %s (%s)", common, strings.Join(e2e, "; "), src)
		if lo, hi, ok := cpuSpread(levels, "postgres"); ok && hi-lo < 5 {
			add(fmt.Sprintf("BUFFER_FLUSH_INTERVAL can be shorter than the current value where fresher progress matters: the E2E latency followed the interval while PostgreSQL used %s–%s CPU whatever the interval (the cost is more, smaller flushes, not measurable database load at %s)", pct(lo), pct(hi), common), ev)
		} else {
			add("Choose BUFFER_FLUSH_INTERVAL as the longest interval whose measured E2E p95 meets the product's target: shorter intervals cost database CPU here", ev)
		}
	}
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
func postgresSettings(m *runresult.Manifest) [][2]string {
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

// currentSettings are the settings in force: the programs' env, then postgres' command line.
func (r *Results) currentSettings() [][]string {
	var t [][]string
	for _, sd := range settingDefs {
		t = append(t, []string{sd.name, sd.container, r.distinct(func(s *Scenario) string { return s.env(sd.container, sd.key) })})
	}
	var order []string
	for _, s := range r.scenarios() {
		if s.Manifest == nil {
			continue
		}
		for _, kv := range postgresSettings(s.Manifest) {
			if !slices.Contains(order, kv[0]) {
				order = append(order, kv[0])
			}
		}
	}
	for _, k := range order {
		t = append(t, []string{k, "postgres (command line)", r.distinct(func(s *Scenario) string {
			if s.Manifest == nil {
				return ""
			}
			for _, kv := range postgresSettings(s.Manifest) {
				if kv[0] == k {
					return kv[1]
				}
			}
			return "default"
		})})
	}
	return t
}

// recommendations are the evidence-tagged findings of the results.
func (r *Results) recommendations() []string {
	var out []string
	add := func(rec, evidence string) { out = append(out, fmt.Sprintf("**%s** — Evidence: %s", rec, evidence)) }
	r.sweepRecs(add)
	r.dedupeRecs(add)
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
