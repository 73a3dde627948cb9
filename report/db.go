package report

import (
	"fmt"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// dbLevel is the level that carries the PostgreSQL analysis (scenario 4).
func (r *Results) dbLevel() (*Scenario, *runresult.LevelResult) {
	for _, name := range []string{ScenarioDatabase, ScenarioCombined} {
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

// dbView is the database tables of the level that has them.
type dbView struct {
	Level                                    *runresult.LevelResult
	Result                                   string // Source entry of result.json
	Statements, Connections, Tables, Indexes [][]string
	Samples                                  *samplesView
}

func (r *Results) dbView(s *Scenario, l *runresult.LevelResult) *dbView {
	db := l.DB
	v := &dbView{Level: l, Result: r.src(s.Name, "result.json"), Samples: r.samplesView(s)}
	total := totalExecSec(db)
	for i, st := range db.TopStatements {
		if i == 10 {
			break
		}
		share := "–"
		if total > 0 {
			share = pct(100 * st.TotalSec / total)
		}
		v.Statements = append(v.Statements, []string{inum(int64(i + 1)), codeSpan(shorten(st.Query, 120)), inum(st.Calls), ms(st.MeanMS), ms(st.MaxMS),
			secs(st.TotalSec), share, inum(st.Rows), pct(st.CacheHitPct)})
	}
	for _, c := range db.Connections {
		v.Connections = append(v.Connections, []string{c.State, inum(c.Count), num(c.OldestSec, 1) + " s"})
	}
	for _, x := range db.Tables {
		v.Tables = append(v.Tables, []string{x.Table, bytesIEC(x.TotalBytes), inum(x.LiveRows), inum(x.DeadRows), inum(x.Inserts), inum(x.Updates),
			inum(x.HotUpdates), inum(x.SeqScans), inum(x.IdxScans)})
	}
	for _, x := range db.Indexes {
		v.Indexes = append(v.Indexes, []string{x.Table, x.Index, inum(x.Scans), inum(x.TupRead), bytesIEC(x.Bytes)})
	}
	return v
}

// samplesPeak is the most connections seen in each state over db_samples.json.
func samplesPeak(samples []runresult.DBSample) (active, idle, idleTx int64) {
	for _, x := range samples {
		active, idle, idleTx = max(active, x.Active), max(idle, x.Idle), max(idleTx, x.IdleInTx)
	}
	return
}

// samplesView is db_samples.json: the connections over the level against the pools.
type samplesView struct {
	N                    int
	Active, Idle, IdleTx int64
	Secs                 float64
	CommitRate           string
	Source               string
	Svc, Handler         string // DB_MAX_OPEN_CONNS of each program
	Total                int
	NearExhaustion       bool // at least 80% of both pools active at once
}

func (r *Results) samplesView(s *Scenario) *samplesView {
	smp := s.DBSamples
	if len(smp) == 0 {
		return nil
	}
	v := &samplesView{N: len(smp), Source: r.src(s.Name, s.SamplesLvl, "db_samples.json"), CommitRate: "–"}
	v.Active, v.Idle, v.IdleTx = samplesPeak(smp)
	first, last := smp[0], smp[len(smp)-1]
	v.Secs = last.Time.Sub(first.Time).Seconds()
	if v.Secs > 0 {
		v.CommitRate = num(float64(last.Commits-first.Commits)/v.Secs, 1) + " /s"
	}
	v.Svc, v.Handler, v.Total = poolSize(s)
	v.NearExhaustion = v.Total > 0 && v.Active >= int64(v.Total)*8/10
	return v
}

// poolSize is DB_MAX_OPEN_CONNS of both programs (from the manifest), for connection evidence.
func poolSize(s *Scenario) (svc, handler string, total int) {
	svc, handler = s.env("challenge-service", "DB_MAX_OPEN_CONNS"), s.env("event-handler", "DB_MAX_OPEN_CONNS")
	var a, b int
	fmt.Sscan(svc, &a)
	fmt.Sscan(handler, &b)
	return svc, handler, a + b
}
