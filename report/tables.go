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
func sideTable(s *Scenario, side func(*runresult.LevelResult) *runresult.Side, memOf string) *table {
	cs := levelContainers(s.Result.Levels)
	head := []string{"Level", "Offered /s", "Achieved /s", "p50", "p95", "p99", "Max", "Error rate", "Dropped"}
	for _, c := range cs {
		head = append(head, "CPU % "+c)
	}
	head = append(head, "Memory "+memOf, "Verdict")
	t := newTable(head...)
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
		t.add(row...)
	}
	return t
}

// combinedTable is scenario 3's (and 4's) table: both sides per cell.
func combinedTable(s *Scenario) *table {
	t := newTable("Level", "API achieved /s", "API p50", "API p95", "API p99", "API errors",
		"Events achieved /s", "Event p50", "Event p95", "Event p99", "Event errors",
		"CPU % challenge-service", "CPU % event-handler", "CPU % postgres", "Verdict")
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		a, e := l.API, l.Events
		if a == nil {
			a = &runresult.Side{}
		}
		if e == nil {
			e = &runresult.Side{}
		}
		t.add(l.Level, num(a.AchievedRate, 1), ms(a.P50ms), ms(a.P95ms), ms(a.P99ms), ratePct(a.ErrorRate),
			num(e.AchievedRate, 1), ms(e.P50ms), ms(e.P95ms), ms(e.P99ms), ratePct(e.ErrorRate),
			pct(l.Resources["challenge-service"].CPUAvgPct), pct(l.Resources["event-handler"].CPUAvgPct),
			pct(l.Resources["postgres"].CPUAvgPct), verdictCell(l))
	}
	return t
}

// resourceTable lists every container at every level, against its limits.
func resourceTable(s *Scenario) *table {
	t := newTable("Level", "Container", "CPU avg", "CPU max", "CPU limit", "Avg % of limit", "Throttled periods", "Memory max", "Memory limit")
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		for _, c := range levelContainers([]runresult.LevelResult{*l}) {
			row := l.Resources[c]
			lim, util := "not recorded", "–"
			if cpus := s.cpuLimit(c); cpus > 0 {
				lim, util = num(cpus, 2)+" CPU", pct(row.CPUAvgPct/cpus)
			}
			t.add(l.Level, c, pct(row.CPUAvgPct), pct(row.CPUMaxPct), lim, util, inum(int64(row.Throttled)),
				mib(row.MemMaxMiB), mib(row.MemLimitMiB))
		}
	}
	return t
}

// flushTable lists the handler's flushes at every level that had events.
func flushTable(r *Results) (*table, []string) {
	t := newTable("Scenario", "Level", "Flushes", "Avg flush", "Avg entries per flush", "Flush errors", "Max buffer entries seen", "BUFFER_FLUSH_INTERVAL", "BUFFER_SIZE_LIMIT")
	var srcs []string
	for _, s := range r.scenarios() {
		used := false
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			if l.Flush == nil || l.Flush.Flushes == 0 {
				continue
			}
			used = true
			t.add(s.Name, l.Level, inum(int64(l.Flush.Flushes)), ms(l.Flush.AvgMs), num(l.Flush.AvgEntries, 1), num(l.Flush.Errors, 0),
				num(l.Flush.MaxBufferSeen, 0), orDash(s.env("event-handler", "BUFFER_FLUSH_INTERVAL")), orDash(s.env("event-handler", "BUFFER_SIZE_LIMIT")))
		}
		if used {
			srcs = append(srcs, r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json"))
		}
	}
	return t, srcs
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// integrityTable lists the exact database check after every event level.
func integrityTable(r *Results) (*table, []string, int, int) {
	t := newTable("Scenario", "Level", "Events acknowledged", "Uncertain", "Users checked", "Values checked", "Lost", "Extra", "Completions consistent", "API users checked", "OK")
	var srcs []string
	var checked, failed int
	for _, s := range r.scenarios() {
		used := false
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			in := l.Integrity
			if in == nil {
				continue
			}
			used = true
			checked++
			if !in.OK {
				failed++
			}
			t.add(s.Name, l.Level, inum(in.EventsAcked), inum(in.EventsUncertain), inum(int64(in.UsersChecked)), inum(int64(in.ValuesChecked)),
				inum(int64(in.Lost)), inum(int64(in.Extra)), yesNo(in.CompletionsOK), inum(int64(in.APIChecked)), yesNo(in.OK))
		}
		if used {
			srcs = append(srcs, r.src(s.Name, "result.json"))
		}
	}
	return t, srcs, checked, failed
}

// loadgenTable is the load generator's self-report at every level.
func loadgenTable(r *Results) (*table, []string) {
	t := newTable("Scenario", "Level", "CPU cores used", "Host CPUs", "Scheduling lag p99", "Lag max", "Dropped fraction", "Iteration errors", "Generator limited")
	var srcs []string
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
			t.add(s.Name, l.Level, num(g.CPUCores, 2), host, ms(g.LagP99Ms), ms(g.LagMaxMs), ratePct(g.DroppedFraction), inum(g.IterationErrors), lim)
		}
		srcs = append(srcs, r.src(s.Name, "result.json"))
	}
	return t, srcs
}

// profileTable is one program's top functions of one profile.
func profileTable(funcs []runresult.TopFunc, n int) *table {
	t := newTable("#", "Function", "Flat %", "Cum %")
	for i, f := range funcs {
		if i == n {
			break
		}
		t.add(inum(int64(i+1)), codeSpan(shorten(f.Function, 100)), pct(f.FlatPct), pct(f.CumPct))
	}
	return t
}
