package report

import (
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// defaultDedupeTTL is the event handler's DEDUPE_TTL when its env does not set one
// (cmd/event-handler/config.go).
const defaultDedupeTTL = 24 * time.Hour

// dedupeMeasure is the de-duplication store's measured cost: the event level that left the most
// keys in Redis, and the TTL the handler ran with.
type dedupeMeasure struct {
	s       *Scenario
	l       *runresult.LevelResult
	ttl     time.Duration
	fromEnv bool // DEDUPE_TTL set in the handler's env (else its default)
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
	m.ttl = defaultDedupeTTL
	if v := m.s.env("event-handler", "DEDUPE_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			m.ttl, m.fromEnv = d, true
		}
	}
	return m
}

// dedupeView is the measured memory per event id.
type dedupeView struct {
	Name, Level      string
	TTL              time.Duration
	TTLFromEnv       bool
	Manifest, Source string
	Keys, Bytes      int64 // keys held, and the memory they took above the empty database
	BytesPerKey      float64
}

// dedupeView states the measured memory per event id (m from dedupeMeasure, nil if none).
func (r *Results) dedupeView(m *dedupeMeasure) *dedupeView {
	if m == nil {
		return nil
	}
	rs := m.l.Redis
	return &dedupeView{Name: m.s.Name, Level: m.l.Level, TTL: m.ttl, TTLFromEnv: m.fromEnv, Manifest: r.src(m.s.Name, "manifest.json"),
		Source: r.src(m.s.Name, LevelDirName(*m.l), runresult.LevelFile), Keys: rs.Keys, Bytes: rs.UsedBytes - rs.BaseBytes, BytesPerKey: rs.BytesPerKey}
}

// dedupeProjection is the Redis memory one game size needs: every event of a DEDUPE_TTL window
// at the peak rate, at the measured bytes per key, against the measured Redis limit (0: unknown).
type dedupeProjection struct {
	EPS, TTLSecs int64
	BytesPerKey  float64
	Need, Limit  int64
	Times        string // Need ÷ Limit, when Need exceeds it
	Source       string
}

func (r *Results) dedupeProjection(g gameSize, m *dedupeMeasure) *dedupeProjection {
	if m == nil {
		return nil
	}
	keys := float64(g.EPSHigh) * m.ttl.Seconds()
	p := &dedupeProjection{EPS: int64(g.EPSHigh), TTLSecs: int64(m.ttl.Seconds()), BytesPerKey: m.l.Redis.BytesPerKey, Need: int64(keys * m.l.Redis.BytesPerKey),
		Limit: int64(r.agreedLimit("redis", func(l runresult.Limits) float64 { return float64(l.MemoryBytes) })), Source: r.src(m.s.Name, LevelDirName(*m.l), runresult.LevelFile)}
	if p.Limit > 0 && p.Need > p.Limit {
		p.Times = num(float64(p.Need)/float64(p.Limit), 0)
	}
	return p
}
