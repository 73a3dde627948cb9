package report

import (
	"fmt"
	"time"
)

// alertsView is what the alerting rules and the production load-testing guide need: the
// headroom, the measured maxima and the flush interval in force.
type alertsView struct {
	Headroom        float64
	API, Events     measuredMax
	APIAt, EventsAt string // headroom × the measured maximum, the capacity alerts' thresholds
	FlushInterval   string // BUFFER_FLUSH_INTERVAL when it parses as a duration
	FlushHalfSec    string // half of it, in seconds
	Start           int    // the production test's first rate: a tenth of the measured API maximum
	// Limits is the limit definition, for the latency and error alerts.
	Limits limitsView
}

func (r *Results) alertsView(o Options) alertsView {
	v := alertsView{Headroom: o.Headroom, API: r.maxOf(ScenarioAPI), Events: r.maxOf(ScenarioEvents), Limits: r.limitsView()}
	// PromQL reads plain numbers only: no thousands separators in an expression.
	v.APIAt, v.EventsAt = plain(o.Headroom*float64(v.API.Rate), 0), plain(o.Headroom*float64(v.Events.Rate), 0)
	if iv := r.distinct(func(s *Scenario) string { return s.env("event-handler", "BUFFER_FLUSH_INTERVAL") }); iv != "" {
		if dur, err := time.ParseDuration(iv); err == nil {
			v.FlushInterval, v.FlushHalfSec = iv, plain(dur.Seconds()/2, 3)
		}
	}
	v.Start = max(1, v.API.Rate/10)
	return v
}

// quote is a YAML double-quoted string (Go's quoting, which YAML reads the same for these texts).
func quote(s string) string { return fmt.Sprintf("%q", s) }
