package report

import (
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// The de-duplication store keeps one entry per event id for a retention window, so it grows with
// the event rate × the window. Where the ids live depends on ACK_MODE: buffered keeps them in Redis
// for DEDUPE_TTL, durable in PostgreSQL's applied_events table for APPLIED_EVENTS_RETENTION. The
// defaults are the event handler's (service/cmd/event-handler/config.go) when the env does not set
// them.
const (
	defaultDedupeTTL = 24 * time.Hour
	defaultRetention = time.Hour
	appliedEvents    = "applied_events"
)

// Store kinds.
const (
	storeRedis    = "redis"    // ACK_MODE=buffered (or no mode recorded while Redis held the ids)
	storePostgres = "postgres" // ACK_MODE=durable: table applied_events
)

// dedupeMeasure is one store's measured cost per event id: the level that left the most ids, and
// the retention the handler ran with.
type dedupeMeasure struct {
	kind       string
	s          *Scenario
	l          *runresult.LevelResult
	ids        int64   // ids held after the level
	bytes      int64   // the memory (Redis) or table size (PostgreSQL) they took
	bytesPerID float64 // bytes per id
	// idsPerEvent is the share of events that leave an id: every event in Redis (buffered), only
	// logins in applied_events (durable: stat values are absolute and need no record), measured as
	// the level's ids ÷ its events.
	idsPerEvent float64
	ttl         time.Duration
	ttlKey      string // DEDUPE_TTL or APPLIED_EVENTS_RETENTION
	fromEnv     bool   // the retention was set in the handler's env (else its default)
	ackMode     string // as recorded ("" = not recorded)
	limit       int64  // the store container's memory limit (0: unknown)
	limitOf     string // that container
	eps         int    // the event rate the projection uses: the measured maximum in this mode
	epsSource   string // where that rate comes from
	epsMeasured bool   // eps is a measured maximum (else the level's own rate)
}

// allScenarios are the capacity scenarios and the tuning sweep's runs.
func (r *Results) allScenarios() []*Scenario {
	out := r.scenarios()
	if r.Tuning != nil {
		out = append(out, r.Tuning.scenarios()...)
	}
	return out
}

// dedupeMeasures are the stores the results measured: at most one per kind, Redis first.
func (r *Results) dedupeMeasures() []*dedupeMeasure {
	var redis, pg *dedupeMeasure
	for _, s := range r.allScenarios() {
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			if rs := l.Redis; rs != nil && rs.Keys > 0 && rs.BytesPerKey > 0 && (redis == nil || rs.Keys > redis.ids) {
				redis = &dedupeMeasure{kind: storeRedis, s: s, l: l, ids: rs.Keys, bytes: rs.UsedBytes - rs.BaseBytes, bytesPerID: rs.BytesPerKey}
			}
			if l.DB == nil {
				continue
			}
			for _, t := range l.DB.Tables {
				if t.Table == appliedEvents && t.LiveRows > 0 && t.TotalBytes > 0 && (pg == nil || t.LiveRows > pg.ids) {
					pg = &dedupeMeasure{kind: storePostgres, s: s, l: l, ids: t.LiveRows, bytes: t.TotalBytes, bytesPerID: float64(t.TotalBytes) / float64(t.LiveRows)}
				}
			}
		}
	}
	var out []*dedupeMeasure
	for _, m := range []*dedupeMeasure{redis, pg} {
		if m == nil {
			continue
		}
		m.ackMode = m.s.ackMode()
		m.ttlKey, m.ttl, m.limitOf, m.idsPerEvent = "DEDUPE_TTL", defaultDedupeTTL, "redis", 1
		if m.kind == storePostgres {
			// The table is on disk: no memory limit bounds it (limitOf stays empty).
			m.ttlKey, m.ttl, m.limitOf = "APPLIED_EVENTS_RETENTION", defaultRetention, ""
			if events := float64(m.l.EPS) * m.l.DurationSec; events > 0 {
				m.idsPerEvent = min(1, float64(m.ids)/events)
			}
		}
		if v := m.s.env("event-handler", m.ttlKey); v != "" {
			if d, err := time.ParseDuration(v); err == nil {
				m.ttl, m.fromEnv = d, true
			}
		}
		if m.s.Manifest != nil && m.limitOf != "" {
			m.limit = m.s.Manifest.Containers[m.limitOf].Limits.MemoryBytes
		}
		m.eps, m.epsSource = m.l.EPS, r.src(m.s.Name, LevelDirName(*m.l), runresult.LevelFile)
		// The measured per-instance maximum of the same ack mode, when scenario 2 ran in it.
		if s2 := r.Get(ScenarioEvents); s2 != nil && s2.ackMode() == m.ackMode {
			if mx := r.maxOf(ScenarioEvents); mx.Rate > 0 {
				m.eps, m.epsSource, m.epsMeasured = mx.Rate, mx.Source, true
			}
		}
		out = append(out, m)
	}
	return out
}

// steady is the store's size once the retention window is full at eps events per second.
func (m *dedupeMeasure) steady(eps int) int64 {
	return int64(float64(eps) * m.idsPerEvent * m.ttl.Seconds() * m.bytesPerID)
}

// fillSecs is how long eps events per second take to fill the store's container memory (0: never
// within the retention window, or no limit known).
func (m *dedupeMeasure) fillSecs(eps int) float64 {
	if m.limit <= 0 || eps <= 0 || m.steady(eps) <= m.limit {
		return 0
	}
	return float64(m.limit) / (float64(eps) * m.idsPerEvent * m.bytesPerID)
}

// dedupeView is one store's measured cost, for the documents.
type dedupeView struct {
	Kind, Name, Level, AckMode string
	TTL                        time.Duration
	TTLKey                     string
	TTLFromEnv                 bool
	Manifest, Source           string
	IDs, Bytes                 int64
	BytesPerID                 float64
	EPS                        int    // the rate projected at
	EPSMeasured                bool   // EPS is scenario 2's measured maximum in this mode
	EPSSource                  string // where EPS comes from
	Steady                     int64  // bytes at EPS once the window is full
	Limit                      int64  // the store container's memory limit (0: unknown, or on disk)
	Exceeds                    bool   // Steady > Limit
	FillSecs                   float64
	IDShare                    string // "" when every event leaves an id, else the measured share
	IDFactor                   string // the share as a factor for formulas ("" when 1)
}

// idFactor is the share as a number for a formula ("" when every event leaves an id).
func (m *dedupeMeasure) idFactor() string {
	if m.idsPerEvent >= 1 {
		return ""
	}
	return num(m.idsPerEvent, 3)
}

// idShare words the share of events that leave an id ("" when all do).
func (m *dedupeMeasure) idShare() string {
	if m.idsPerEvent >= 1 {
		return ""
	}
	return num(100*m.idsPerEvent, 1) + "% of events leave an id (logins only; stat values are absolute and need none), as measured at that level"
}

// dedupeViews state every measured store (nil: none measured).
func (r *Results) dedupeViews() []dedupeView {
	var out []dedupeView
	for _, m := range r.dedupeMeasures() {
		v := dedupeView{Kind: m.kind, Name: m.s.Name, Level: m.l.Level, AckMode: m.ackMode, TTL: m.ttl, TTLKey: m.ttlKey, TTLFromEnv: m.fromEnv,
			Manifest: r.src(m.s.Name, "manifest.json"), Source: r.dedupeSource(m), IDs: m.ids, Bytes: m.bytes,
			BytesPerID: m.bytesPerID, EPS: m.eps, EPSMeasured: m.epsMeasured, EPSSource: m.epsSource, Steady: m.steady(m.eps), Limit: m.limit}
		v.Exceeds = v.Limit > 0 && v.Steady > v.Limit
		v.IDShare, v.IDFactor = m.idShare(), m.idFactor()
		v.FillSecs = m.fillSecs(m.eps)
		out = append(out, v)
	}
	return out
}

// overflowing are the stores that outgrow their container's memory within the retention window at
// the projected rate: the finding the summaries carry.
func overflowing(vs []dedupeView) []dedupeView {
	var out []dedupeView
	for _, v := range vs {
		if v.Exceeds {
			out = append(out, v)
		}
	}
	return out
}

// dedupeProjection is the store size one game size needs: every event of the retention window at
// the peak rate, at the measured bytes per id, against the measured container's memory (0: unknown).
type dedupeProjection struct {
	Kind, TTLKey string
	EPS, TTLSecs int64
	BytesPerID   float64
	Need, Limit  int64
	Times        string // Need ÷ Limit, when Need exceeds it
	Source       string
	IDShare      string // as dedupeView's
	IDFactor     string
}

func (r *Results) dedupeProjections(g gameSize) []dedupeProjection {
	var out []dedupeProjection
	for _, m := range r.dedupeMeasures() {
		p := dedupeProjection{Kind: m.kind, TTLKey: m.ttlKey, EPS: int64(g.EPSHigh), TTLSecs: int64(m.ttl.Seconds()), BytesPerID: m.bytesPerID,
			Need: m.steady(g.EPSHigh), Limit: m.limit, Source: r.dedupeSource(m), IDShare: m.idShare(), IDFactor: m.idFactor()}
		if p.Limit > 0 && p.Need > p.Limit {
			p.Times = num(float64(p.Need)/float64(p.Limit), 0)
		}
		out = append(out, p)
	}
	return out
}

// dedupeSource is the file the bytes per id come from: the level's Redis figures, or the database
// analysis in result.json.
func (r *Results) dedupeSource(m *dedupeMeasure) string {
	if m.kind == storePostgres {
		return r.src(m.s.Name, "result.json") + " (levels[].db.tables " + appliedEvents + " of " + m.l.Level + ")"
	}
	return r.src(m.s.Name, LevelDirName(*m.l), runresult.LevelFile)
}
