package reward

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// instrumented counts and times every grant, whichever client is underneath.
type instrumented struct {
	next     Client
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// WithMetrics wraps c, registering reward_grants_total{type,result} and
// reward_grant_duration_seconds{type,result} on reg.
func WithMetrics(c Client, reg prometheus.Registerer) Client {
	in := &instrumented{
		next: c,
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reward_grants_total", Help: "Reward grant calls to the platform by reward type and result.",
		}, []string{"type", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "reward_grant_duration_seconds", Help: "Latency of reward grant calls.",
			Buckets: []float64{.005, .01, .025, .05, .1, .2, .3, .5, 1, 2.5, 5, 10},
		}, []string{"type", "result"}),
	}
	reg.MustRegister(in.total, in.duration)
	return in
}

func (in *instrumented) Grant(ctx context.Context, g Grant) error {
	start := time.Now()
	err := in.next.Grant(ctx, g)
	result := "success"
	if err != nil {
		result = "failure"
	}
	in.total.WithLabelValues(g.Type, result).Inc()
	in.duration.WithLabelValues(g.Type, result).Observe(time.Since(start).Seconds())
	return err
}
