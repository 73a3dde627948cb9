package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// The rules that turn measurements into tuning recommendations, each citing its evidence.

type addRec func(rec, evidence string)

func (r *Results) poolRecs(add addRec) {
	s, l := r.dbLevel()
	if l == nil {
		return
	}
	svc, handler, total := poolSize(s)
	if len(s.DBSamples) > 0 && total > 0 {
		active, _, _ := samplesPeak(s.DBSamples)
		ev := fmt.Sprintf("at most %d connections were active in %d samples at %s (%s) against pools of %s + %s (%s)", active, len(s.DBSamples), l.Level, s.Name, orDash(svc), orDash(handler),
			r.src(s.Name, s.SamplesLvl, "db_samples.json"))
		switch used := 100 * float64(active) / float64(total); {
		case used >= 80:
			add("Measure a larger DB_MAX_OPEN_CONNS (the pools were ≥ 80% busy)", ev)
		case used < 25:
			add(fmt.Sprintf("DB_MAX_OPEN_CONNS is larger than the measured load needs (%s of the pools active at the peak): smaller pools cost nothing here and leave room under max_connections when scaling out — see Connection Pools in CAPACITY_PLANNING.md", pct(used)), ev)
		default:
			add(fmt.Sprintf("No evidence to change DB_MAX_OPEN_CONNS at the measured load (%s of the pools active at the peak)", pct(used)), ev)
		}
	}
	if m := s.Manifest; m != nil && total > 0 {
		for _, kv := range postgresSettings(m) {
			if kv[0] != "max_connections" {
				continue
			}
			if mc, err := strconv.Atoi(kv[1]); err == nil {
				per := total / 2
				if per > 0 {
					add(fmt.Sprintf("When scaling out, keep instances × DB_MAX_OPEN_CONNS under max_connections: at most %d program instances of %d connections fit %d", mc/per, per, mc),
						fmt.Sprintf("max_connections=%d from the postgres command and DB_MAX_OPEN_CONNS=%d from the programs' env (%s)", mc, per, r.src(s.Name, "manifest.json")))
				}
			}
		}
	}
}

func (r *Results) bufferRecs(add addRec) {
	if s := r.Get(ScenarioE2E); s != nil {
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			e := l.E2E
			if e == nil {
				continue
			}
			ev := fmt.Sprintf("%s at %s: E2E p50 %s, p95 %s, %s of %d probes failed, flush interval %s (%s)",
				s.Name, l.Level, ms(e.P50ms), ms(e.P95ms), ratePct(e.Failed), e.Probes, e.FlushInterval, r.src(s.Name, "result.json"))
			// An event waits up to one interval for the next flush, then the flush and the probe's
			// poll: a p95 a little above the interval is the interval's doing.
			if d, err := time.ParseDuration(e.FlushInterval); err == nil && e.P95ms > 1.25*float64(d.Milliseconds()) {
				add("E2E p95 is more than 25% above the flush interval: the flush or the read path adds latency of its own; profile them before shortening BUFFER_FLUSH_INTERVAL", ev)
			} else {
				add(fmt.Sprintf("BUFFER_FLUSH_INTERVAL=%s sets the measured E2E latency (p95 within 25%% of the interval); shorten it if the E2E target is below it", e.FlushInterval), ev)
			}
			if e.Failed > 0 {
				add("Investigate the failed E2E probes before tuning for latency", ev)
			}
		}
	}
	// The heaviest flush seen: time per flush against the interval, buffer use against its limit.
	var worst *runresult.LevelResult
	var ws *Scenario
	for _, s := range r.scenarios() {
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			if l.Flush != nil && l.Flush.Flushes > 0 && (worst == nil || l.Flush.AvgMs > worst.Flush.AvgMs) {
				worst, ws = l, s
			}
		}
	}
	if worst == nil {
		return
	}
	f := worst.Flush
	interval, _ := time.ParseDuration(ws.env("event-handler", "BUFFER_FLUSH_INTERVAL"))
	limit, _ := strconv.ParseFloat(ws.env("event-handler", "BUFFER_SIZE_LIMIT"), 64)
	ev := fmt.Sprintf("%s at %s: %s flushes averaging %s and %s entries, at most %s entries buffered (%s)",
		ws.Name, worst.Level, inum(int64(f.Flushes)), ms(f.AvgMs), num(f.AvgEntries, 1), num(f.MaxBufferSeen, 0), r.src(ws.Name, "result.json"))
	if interval > 0 {
		share := 100 * f.AvgMs / float64(interval.Milliseconds())
		if share >= 50 {
			add(fmt.Sprintf("Flushes take %s of the %s interval: the flush is close to becoming the event-rate limit; sweep BUFFER_FLUSH_INTERVAL and the upsert", pct(share), interval), ev)
		} else {
			add(fmt.Sprintf("Flush time is %s of the %s interval: the flush is not the limit at the measured rates", pct(share), interval), ev)
		}
	}
	if limit > 0 {
		add(fmt.Sprintf("BUFFER_SIZE_LIMIT=%s: the buffer peaked at %s of it; no evidence to change it", num(limit, 0), pct(100*f.MaxBufferSeen/limit)), ev)
	}
	if f.Errors > 0 {
		add("Flush errors occurred: check the handler's log and buffer_flush_errors_total", ev)
	}
}

func (r *Results) dbRecs(add addRec) {
	s, l := r.dbLevel()
	if l == nil {
		return
	}
	db := l.DB
	src := r.src(s.Name, "result.json")
	if len(db.TopStatements) > 0 {
		top := db.TopStatements[0]
		if t := totalExecSec(db); t > 0 {
			add(fmt.Sprintf("Optimise the most expensive statement first (%s of the database's statement time)", pct(100*top.TotalSec/t)),
				fmt.Sprintf("%s: %s calls, mean %s, max %s at %s (%s)", codeSpan(shorten(top.Query, 80)), inum(top.Calls), ms(top.MeanMS), ms(top.MaxMS), l.Level, src))
		}
	}
	if db.CacheHitPct < 99 {
		add("Raise shared_buffers: the working set does not fit the buffer cache", fmt.Sprintf("cache hit %s at %s (%s)", pct(db.CacheHitPct), l.Level, src))
	} else {
		add("No evidence to raise shared_buffers at this data size", fmt.Sprintf("cache hit %s at %s (%s)", pct(db.CacheHitPct), l.Level, src))
	}
	var unused []string
	for _, ix := range db.Indexes {
		if ix.Scans == 0 {
			unused = append(unused, codeSpan(ix.Index)+" on "+ix.Table)
		}
	}
	if len(unused) > 0 {
		add("Review indexes with no scans (confirm on a longer run before dropping): "+strings.Join(unused, ", "),
			fmt.Sprintf("idx_scan = 0 during %s (%s)", l.Level, src))
	}
	if db.Deadlocks > 0 {
		add("Fix lock ordering: deadlocks occurred", fmt.Sprintf("%d deadlocks at %s (%s)", db.Deadlocks, l.Level, src))
	}
}

func (r *Results) profileRecs(add addRec) {
	s, l := r.profileLevel()
	if l == nil {
		return
	}
	src := r.src(s.Name, "result.json")
	for _, prog := range programs {
		funcs := l.TopCPU[prog]
		if len(funcs) == 0 {
			continue
		}
		app, rt, _ := appShare(funcs)
		top, _ := topByFlat(funcs)
		ev := fmt.Sprintf("%s CPU profile at %s: top function %s %s flat; this repository's code %s and Go runtime/syscalls %s of the top %d functions' flat time (%s)",
			prog, l.Level, codeSpan(top.Function), pct(top.FlatPct), pct(app), pct(rt), len(funcs), src)
		use, idle := s.programUse(l, prog)
		switch {
		case idle && use != nil:
			add(fmt.Sprintf("Profile %s at its maximum before optimising it: at %s it averaged %s of its CPU limit, so this profile shows where little CPU went, not what limits it", prog, l.Level, pct(use.UtilPct)), ev)
		case rt > app:
			add(fmt.Sprintf("In %s, CPU goes mostly to system calls and the Go runtime; this repository's own functions are %s of the top functions' flat time, so optimising them has little to gain at this level", prog, pct(app)), ev)
		default:
			add(fmt.Sprintf("In %s, this repository's code dominates CPU: start with %s", prog, codeSpan(top.Function)), ev)
		}
		if a, ok := topByFlat(l.TopAlloc[prog]); ok {
			add(fmt.Sprintf("Largest allocation site in %s: %s", prog, codeSpan(a.Function)),
				fmt.Sprintf("%s of allocated space at %s (%s)", pct(a.FlatPct), l.Level, src))
		}
		for _, m := range l.TopMutex[prog] {
			if strings.HasPrefix(m.Function, "github.com/challenge-perf/") && m.FlatPct >= 10 {
				add(fmt.Sprintf("Reduce lock contention in %s", codeSpan(m.Function)), fmt.Sprintf("%s of %s's mutex delay at %s (%s)", pct(m.FlatPct), prog, l.Level, src))
			}
		}
	}
}

func (r *Results) cpuRecs(add addRec) {
	for _, s := range r.scenarios() {
		l := s.outcome().decisive()
		if l == nil {
			continue
		}
		uses := s.cpuUses(l)
		if len(uses) > 0 && uses[0].UtilPct >= nearCPULimitPct {
			u := uses[0]
			add(fmt.Sprintf("Give %s more CPU or more instances", u.Container),
				fmt.Sprintf("%s at %s: %s averaged %s of its %s-CPU limit (%s)", s.Name, l.Level, u.Container, pct(u.UtilPct), num(u.Limit, 2), r.src(s.Name, "result.json")))
		}
	}
}

// dedupeRecs: a de-duplication store that outgrows its memory within its retention window.
func (r *Results) dedupeRecs(add addRec) {
	for _, v := range r.dedupeViews() {
		store := "Redis"
		if v.Kind == storePostgres {
			store = "the PostgreSQL table " + appliedEvents
		}
		ev := fmt.Sprintf("%s B per event id after %s in %s (ACK_MODE=%s); %s EPS × %s %s = %s%s (%s, %s)", num(v.BytesPerID, 0), v.Level, v.Name, orDash(v.AckMode),
			inum(int64(v.EPS)), v.TTLKey, v.TTL, bytesIEC(v.Steady), limitNote(v), v.Source, v.EPSSource)
		switch {
		case v.Limit <= 0:
			add(fmt.Sprintf("Size %s for the de-duplication ids: %s once %s is full at %s EPS; these results record no memory limit for it to compare with", store, bytesIEC(v.Steady), v.TTLKey, inum(int64(v.EPS))), ev)
		case v.Exceeds:
			add(fmt.Sprintf("Shorten %s to the event bus's redelivery window, or size %s for it: at %s EPS the ids outgrow the measured container's memory after about %s minutes", v.TTLKey, store, inum(int64(v.EPS)), num(v.FillSecs/60, 1)), ev)
		default:
			add(fmt.Sprintf("%s = %s fits %s at the measured rate", v.TTLKey, v.TTL, store), ev)
		}
	}
}

func limitNote(v dedupeView) string {
	if v.Limit <= 0 {
		return ""
	}
	return " against a " + bytesIEC(v.Limit) + " memory limit"
}
