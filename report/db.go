package report

import (
	"fmt"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// dbLevel is the level that carries the PostgreSQL analysis (scenario 4).
func (r *Results) dbLevel() (*Scenario, *runresult.LevelResult) {
	for _, name := range []string{"scenario4", "scenario3"} {
		s := r.Get(name)
		if s == nil {
			continue
		}
		for i := range s.Result.Levels {
			if s.Result.Levels[i].DB != nil {
				return s, &s.Result.Levels[i]
			}
		}
	}
	return nil, nil
}

// totalExecSec is the statements' total execution time.
func totalExecSec(db *runresult.DBAnalysis) float64 {
	t := 0.0
	for _, st := range db.TopStatements {
		t += st.TotalSec
	}
	return t
}

// writeDBAnalysis writes the database tables of the level that has them.
func (r *Results) writeDBAnalysis(d *doc, s *Scenario, l *runresult.LevelResult) {
	db := l.DB
	src := r.src(s.Name, "result.json") + " (levels[].db of " + l.Level + ")"
	d.p("Measured at **%s** (%s). Cache hit ratio **%s**, %s commits, %s rollbacks, %s deadlocks.",
		l.Level, l.Verdict, pct(db.CacheHitPct), inum(db.Commits), inum(db.Rollbacks), inum(db.Deadlocks))
	d.h(4, "Top statements by total execution time")
	total := totalExecSec(db)
	t := newTable("#", "Statement", "Calls", "Mean", "Max", "Total", "Share of listed time", "Rows", "Cache hit")
	for i, st := range db.TopStatements {
		if i == 10 {
			break
		}
		share := "–"
		if total > 0 {
			share = pct(100 * st.TotalSec / total)
		}
		t.add(inum(int64(i+1)), codeSpan(shorten(st.Query, 120)), inum(st.Calls), ms(st.MeanMS), ms(st.MaxMS),
			secs(st.TotalSec), share, inum(st.Rows), pct(st.CacheHitPct))
	}
	d.table(t)
	d.source(src)

	d.h(4, "Connection states at the end of the level")
	ct := newTable("State", "Connections", "Oldest in state")
	for _, c := range db.Connections {
		ct.add(c.State, inum(c.Count), num(c.OldestSec, 1)+" s")
	}
	d.table(ct)
	d.source(src)
	if len(r.Get(s.Name).DBSamples) > 0 {
		r.writeDBSamples(d, s)
	}

	d.h(4, "Tables")
	tt := newTable("Table", "Size", "Live rows", "Dead rows", "Inserts", "Updates", "HOT updates", "Seq scans", "Index scans")
	for _, x := range db.Tables {
		tt.add(x.Table, bytesIEC(x.TotalBytes), inum(x.LiveRows), inum(x.DeadRows), inum(x.Inserts), inum(x.Updates),
			inum(x.HotUpdates), inum(x.SeqScans), inum(x.IdxScans))
	}
	d.table(tt)
	d.source(src)

	d.h(4, "Indexes")
	it := newTable("Table", "Index", "Scans", "Tuples read", "Size")
	for _, x := range db.Indexes {
		it.add(x.Table, x.Index, inum(x.Scans), inum(x.TupRead), bytesIEC(x.Bytes))
	}
	d.table(it)
	d.source(src)
}

// samplesPeak is the most connections seen in each state over db_samples.json.
func samplesPeak(samples []runresult.DBSample) (active, idle, idleTx int64) {
	for _, x := range samples {
		active, idle, idleTx = max(active, x.Active), max(idle, x.Idle), max(idleTx, x.IdleInTx)
	}
	return
}

func (r *Results) writeDBSamples(d *doc, s *Scenario) {
	smp := s.DBSamples
	active, idle, idleTx := samplesPeak(smp)
	first, last := smp[0], smp[len(smp)-1]
	secs := last.Time.Sub(first.Time).Seconds()
	rate := "–"
	if secs > 0 {
		rate = num(float64(last.Commits-first.Commits)/secs, 1) + " /s"
	}
	d.p("Sampled %d times over %s s: at most **%d active**, %d idle and %d idle-in-transaction connections; commits %s over the sampled span.",
		len(smp), num(secs, 1), active, idle, idleTx, rate)
	d.source(r.src(s.Name, s.SamplesLvl, "db_samples.json"))
}

// poolSize is DB_MAX_OPEN_CONNS of both programs (from the manifest), for connection evidence.
func poolSize(s *Scenario) (svc, handler string, total int) {
	svc, handler = s.env("challenge-service", "DB_MAX_OPEN_CONNS"), s.env("event-handler", "DB_MAX_OPEN_CONNS")
	var a, b int
	fmt.Sscan(svc, &a)
	fmt.Sscan(handler, &b)
	return svc, handler, a + b
}
