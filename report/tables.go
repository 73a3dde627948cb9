package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// The report's recurring tables, each built from one kind of result field.

func verdictCell(l *runresult.LevelResult) string {
	v := l.Verdict
	if l.Verdict != runresult.VerdictPass && len(l.Reasons) > 0 {
		v += ": " + strings.Join(l.Reasons, "; ")
	}
	if l.Retry {
		return "re-run (the run above failed; the baseline held this level): " + v
	}
	return v
}

func levelContainers(levels []runresult.LevelResult) []string {
	seen := map[string]bool{}
	for _, l := range levels {
		for c := range l.Resources {
			seen[c] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// sideTable is the spec's per-level table for a single-sided scenario (1, 2 or 5's events).
func sideTable(s *Scenario, side func(*runresult.LevelResult) *runresult.Side, memOf string) [][]string {
	cs := levelContainers(s.Result.Levels)
	var t [][]string
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		sd := side(l)
		if sd == nil {
			continue
		}
		row := []string{l.Level, num(sd.TargetRate, 1), num(sd.AchievedRate, 1), ms(sd.P50ms), ms(sd.P95ms), ms(sd.P99ms), ms(sd.MaxMs),
			ratePct(sd.ErrorRate), fmt.Sprintf("%s of %s", inum(sd.Dropped), inum(sd.Offered))}
		for _, c := range cs {
			row = append(row, pct(l.Resources[c].CPUAvgPct))
		}
		row = append(row, mib(l.Resources[memOf].MemMaxMiB), verdictCell(l))
		t = append(t, row)
	}
	return t
}

// combinedTable is scenario 3's (and 4's) table: both sides per cell.
func combinedTable(s *Scenario) [][]string {
	var t [][]string
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		a, e := l.API, l.Events
		if a == nil {
			a = &runresult.Side{}
		}
		if e == nil {
			e = &runresult.Side{}
		}
		t = append(t, []string{l.Level, num(a.AchievedRate, 1), ms(a.P50ms), ms(a.P95ms), ms(a.P99ms), ratePct(a.ErrorRate),
			num(e.AchievedRate, 1), ms(e.P50ms), ms(e.P95ms), ms(e.P99ms), ratePct(e.ErrorRate),
			pct(l.Resources["challenge-service"].CPUAvgPct), pct(l.Resources["event-handler"].CPUAvgPct),
			pct(l.Resources["postgres"].CPUAvgPct), verdictCell(l)})
	}
	return t
}

// resourceTable lists every container at every level, against its limits.
func resourceTable(s *Scenario) [][]string {
	var t [][]string
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		for _, c := range levelContainers([]runresult.LevelResult{*l}) {
			row := l.Resources[c]
			lim, util := "not recorded", "–"
			if cpus := s.cpuLimit(c); cpus > 0 {
				lim, util = num(cpus, 2)+" CPU", pct(row.CPUAvgPct/cpus)
			}
			t = append(t, []string{l.Level, c, pct(row.CPUAvgPct), pct(row.CPUMaxPct), lim, util, inum(int64(row.Throttled)),
				mib(row.MemMaxMiB), mib(row.MemLimitMiB)})
		}
	}
	return t
}

// tableView is a table's rows and the files they come from.
type tableView struct {
	Rows    [][]string
	Sources []string
}

// flushTable lists the handler's flushes at every level that had events.
func flushTable(r *Results) tableView {
	var t tableView
	for _, s := range r.scenarios() {
		used := false
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			if l.Flush == nil || l.Flush.Flushes == 0 {
				continue
			}
			used = true
			t.Rows = append(t.Rows, []string{s.Name, l.Level, inum(int64(l.Flush.Flushes)), ms(l.Flush.AvgMs), num(l.Flush.AvgEntries, 1), num(l.Flush.Errors, 0),
				num(l.Flush.MaxBufferSeen, 0), orDash(s.env("event-handler", "BUFFER_FLUSH_INTERVAL")), orDash(s.env("event-handler", "BUFFER_SIZE_LIMIT"))})
		}
		if used {
			t.Sources = append(t.Sources, r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json"))
		}
	}
	return t
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// integrityView is the exact database check after every event level, and the problems found.
type integrityView struct {
	tableView
	Checked, Failed int
	Problems        []problemsView
}

type problemsView struct {
	Name, Level string
	Problems    []string
}

// integrityTable lists the exact database check after every event level.
func integrityTable(r *Results) integrityView {
	var t integrityView
	for _, s := range r.scenarios() {
		used := false
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			in := l.Integrity
			if in == nil {
				continue
			}
			used = true
			t.Checked++
			if !in.OK {
				t.Failed++
			}
			if len(in.Problems) > 0 {
				t.Problems = append(t.Problems, problemsView{s.Name, l.Level, in.Problems})
			}
			t.Rows = append(t.Rows, []string{s.Name, l.Level, inum(in.EventsAcked), inum(in.EventsUncertain), inum(int64(in.UsersChecked)), inum(int64(in.ValuesChecked)),
				inum(int64(in.Lost)), inum(int64(in.Extra)), yesNo(in.CompletionsOK), inum(int64(in.APIChecked)), yesNo(in.OK)})
		}
		if used {
			t.Sources = append(t.Sources, r.src(s.Name, "result.json"))
		}
	}
	return t
}

// loadgenTable is the load generator's self-report at every level.
func loadgenTable(r *Results) tableView {
	var t tableView
	for _, s := range r.scenarios() {
		host := "–"
		if s.Manifest != nil {
			host = inum(int64(s.Manifest.HostCPUs))
		}
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			g := l.Loadgen
			lim := yesNo(g.GeneratorLimited)
			if g.Reason != "" {
				lim += ": " + g.Reason
			}
			t.Rows = append(t.Rows, []string{s.Name, l.Level, num(g.CPUCores, 2), host, ms(g.LagP99Ms), ms(g.LagMaxMs), ratePct(g.DroppedFraction), inum(g.IterationErrors), lim})
		}
		t.Sources = append(t.Sources, r.src(s.Name, "result.json"))
	}
	return t
}

// profileTable is one program's top functions of one profile.
func profileTable(funcs []runresult.TopFunc, n int) [][]string {
	var t [][]string
	for i, f := range funcs {
		if i == n {
			break
		}
		t = append(t, []string{inum(int64(i + 1)), codeSpan(shorten(f.Function, 100)), pct(f.FlatPct), pct(f.CumPct)})
	}
	return t
}
