package events

import "github.com/prometheus/client_golang/prometheus"

// Event types (label values).
const (
	typeLogin = "login"
	typeStat  = "stat"
)

// outcomes counts one event type's results; counters are curried at start so the hot path does
// no label lookups.
type outcomes struct {
	applied, duplicate, ignored, invalid, unavailable, exhausted prometheus.Counter
	duration                                                     prometheus.Observer
}

// Metrics are the handler's Prometheus instruments.
type Metrics struct {
	login, stat                    outcomes
	ignoredNamespace, ignoredGoals prometheus.Counter
}

// NewMetrics registers the handler metrics on reg (nil: unregistered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	total := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "events_total", Help: "Events received, by type and outcome.",
	}, []string{"type", "outcome"})
	ignored := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "events_ignored_total", Help: "Events acknowledged without effect, by reason.",
	}, []string{"reason"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "event_handle_duration_seconds", Help: "Time spent in OnMessage (validation, de-dup, buffering).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"type"})
	if reg != nil {
		reg.MustRegister(total, ignored, dur)
	}
	curry := func(typ string) outcomes {
		return outcomes{
			applied:     total.WithLabelValues(typ, "applied"),
			duplicate:   total.WithLabelValues(typ, "duplicate"),
			ignored:     total.WithLabelValues(typ, "ignored"),
			invalid:     total.WithLabelValues(typ, "invalid"),
			unavailable: total.WithLabelValues(typ, "unavailable"),
			exhausted:   total.WithLabelValues(typ, "exhausted"),
			duration:    dur.WithLabelValues(typ),
		}
	}
	return &Metrics{
		login:            curry(typeLogin),
		stat:             curry(typeStat),
		ignoredNamespace: ignored.WithLabelValues("namespace"),
		ignoredGoals:     ignored.WithLabelValues("no_goals"),
	}
}
