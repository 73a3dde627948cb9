package report

import (
	"fmt"
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// defaultDedupeTTL is the event handler's DEDUPE_TTL when its env does not set one
// (cmd/event-handler/config.go).
const defaultDedupeTTL = 24 * time.Hour

// dedupeMeasure is the de-duplication store's measured cost: the event level that left the most
// keys in Redis, and the TTL the handler ran with.
type dedupeMeasure struct {
	s      *Scenario
	l      *runresult.LevelResult
	ttl    time.Duration
	ttlSrc string
}

func (r *Results) dedupeMeasure() *dedupeMeasure {
	var m *dedupeMeasure
	for _, s := range r.scenarios() {
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			if l.Redis == nil || l.Redis.Keys == 0 || l.Redis.BytesPerKey <= 0 {
				continue
			}
			if m == nil || l.Redis.Keys > m.l.Redis.Keys {
				m = &dedupeMeasure{s: s, l: l}
			}
		}
	}
	if m == nil {
		return nil
	}
	m.ttl, m.ttlSrc = defaultDedupeTTL, "the event handler's default (cmd/event-handler/config.go); the stack does not set DEDUPE_TTL"
	if v := m.s.env("event-handler", "DEDUPE_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			m.ttl, m.ttlSrc = d, "DEDUPE_TTL from the event handler's env ("+r.src(m.s.Name, "manifest.json")+")"
		}
	}
	return m
}

// dedupeInput states the measured memory per event id (m from dedupeMeasure, nil if none).
func (r *Results) dedupeInput(d *doc, m *dedupeMeasure) {
	if m == nil {
		d.p("De-duplication store (Redis): no level of these results recorded Redis' keys and memory, so its size is not projected.")
		return
	}
	rs := m.l.Redis
	d.p("De-duplication store (Redis): the handler keeps one key per event id for DEDUPE_TTL = %s (%s). After %s in %s, Redis held %s keys in %s more than on the empty database: **%s bytes per event id**.",
		m.ttl, m.ttlSrc, m.l.Level, m.s.Name, inum(rs.Keys), bytesIEC(rs.UsedBytes-rs.BaseBytes), num(rs.BytesPerKey, 0))
	d.source(r.src(m.s.Name, LevelDirName(*m.l), runresult.LevelFile))
}

// dedupeProjection is the Redis memory one game size needs: every event of a DEDUPE_TTL window
// at the peak rate, at the measured bytes per key.
func (r *Results) dedupeProjection(d *doc, g gameSize, m *dedupeMeasure) {
	if m == nil {
		return
	}
	keys := float64(g.EPSHigh) * m.ttl.Seconds()
	need := int64(keys * m.l.Redis.BytesPerKey)
	line := fmt.Sprintf("Redis for de-duplication (**projection**): peak EPS × DEDUPE_TTL × bytes per event id = %s × %s s × %s B = **%s**",
		inum(int64(g.EPSHigh)), inum(int64(m.ttl.Seconds())), num(m.l.Redis.BytesPerKey, 0), bytesIEC(need))
	if lim := int64(r.agreedLimit("redis", func(l runresult.Limits) float64 { return float64(l.MemoryBytes) })); lim > 0 {
		line += fmt.Sprintf(", against the measured Redis container's %s limit", bytesIEC(lim))
		if need > lim {
			line += fmt.Sprintf(" (%s× it)", num(float64(need)/float64(lim), 0))
		}
	}
	line += ". The TTL only has to cover the window in which the event bus can redeliver an event; it is the lever, not Redis' size."
	d.p("%s", line)
	d.source(r.src(m.s.Name, LevelDirName(*m.l), runresult.LevelFile))
}
