package report

import (
	"fmt"
	"strings"
	"time"
)

func (r *Results) alerts(d *doc, o Options) {
	d.h(2, "Monitoring Alerts")
	d.p("Prometheus rules on the metrics the programs export (`internal/api`, `internal/events`, `internal/buffer`, `internal/dedupe`, `internal/reward`; served on `OPS_ADDR` `/metrics`). Latency and error thresholds are the suite's limit definition; capacity thresholds are the headroom (%s) × the measured per-instance maximum.", num(o.Headroom, 2))
	api, ev := r.maxOf("scenario1"), r.maxOf("scenario2")
	var b strings.Builder
	rule := func(name, expr, forDur, summary string) {
		fmt.Fprintf(&b, "      - alert: %s\n        expr: %s\n        for: %s\n        annotations:\n          summary: %q\n", name, expr, forDur, summary)
	}
	b.WriteString("groups:\n  - name: challenge-service\n    rules:\n")
	rule("ChallengeAPIErrorRate", `sum(rate(http_requests_total{route=~".*/v1/challenges.*",code=~"5.."}[5m])) / sum(rate(http_requests_total{route=~".*/v1/challenges.*"}[5m])) > 0.01`, "5m", "API 5xx rate above 1%")
	rule("ChallengeAPILatencyP95", `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{route=~".*/v1/challenges.*"}[5m]))) > 2`, "5m", "API p95 above 2 s (the suite's limit)")
	if api.Rate > 0 {
		rule("ChallengeAPINearMeasuredCapacity", fmt.Sprintf(`sum by (instance) (rate(http_requests_total{route=~".*/v1/challenges.*"}[5m])) > %s`, num(o.Headroom*float64(api.Rate), 0)),
			"10m", fmt.Sprintf("per-instance API rate above %s x the measured %d RPS", num(o.Headroom, 2), api.Rate))
	}
	rule("DBPoolSaturation", `db_pool_acquired_conns / db_pool_max_conns > 0.8`, "5m", "challenge-service DB pool above 80% busy")
	rule("DBPoolWaits", `rate(db_pool_empty_acquire_count_total[5m]) / rate(db_pool_acquire_count_total[5m]) > 0.1`, "5m", "more than 10% of connection acquisitions waited")
	rule("RewardGrantFailures", `sum(rate(reward_grants_total{result="failure"}[5m])) / sum(rate(reward_grants_total[5m])) > 0.01`, "5m", "reward grants failing above 1%")
	b.WriteString("  - name: event-handler\n    rules:\n")
	rule("EventErrorRate", `sum(rate(events_total{outcome=~"invalid|unavailable|exhausted"}[5m])) / sum(rate(events_total[5m])) > 0.01`, "5m", "events refused above 1%")
	rule("EventLatencyP95", `histogram_quantile(0.95, sum by (le) (rate(event_handle_duration_seconds_bucket[5m]))) > 0.5`, "5m", "OnMessage p95 above 500 ms (the suite's limit)")
	if ev.Rate > 0 {
		rule("EventsNearMeasuredCapacity", fmt.Sprintf(`sum by (instance) (rate(events_total[5m])) > %s`, num(o.Headroom*float64(ev.Rate), 0)),
			"10m", fmt.Sprintf("per-instance event rate above %s x the measured %d EPS", num(o.Headroom, 2), ev.Rate))
	}
	rule("BufferFilling", `buffer_entries / buffer_size_limit > 0.8`, "2m", "event buffer above 80% of BUFFER_SIZE_LIMIT")
	if iv := r.distinct(func(s *Scenario) string { return s.env("event-handler", "BUFFER_FLUSH_INTERVAL") }); iv != "" {
		if dur, err := time.ParseDuration(iv); err == nil {
			rule("BufferFlushSlow", fmt.Sprintf(`rate(buffer_flush_duration_seconds_sum[5m]) / rate(buffer_flush_duration_seconds_count[5m]) > %s`, num(dur.Seconds()/2, 3)),
				"5m", fmt.Sprintf("average flush longer than half the %s flush interval", iv))
		}
	}
	rule("BufferFlushErrors", `increase(buffer_flush_errors_total[5m]) > 0`, "0m", "flush statements failed (rows are retried)")
	rule("DedupeErrors", `increase(dedupe_errors_total[5m]) > 0`, "0m", "Redis de-duplication failing: events refused as Unavailable")
	d.code("yaml", b.String())
	var notes []string
	if api.Rate > 0 {
		notes = append(notes, fmt.Sprintf("API capacity threshold: %s × %d RPS (%s, %s; %s). `http_requests_total` counts requests, the suite counts iterations (a claim iteration makes two requests).", num(o.Headroom, 2), api.Rate, api.Level, api.Why, api.Source))
	}
	if ev.Rate > 0 {
		notes = append(notes, fmt.Sprintf("Event capacity threshold: %s × %d EPS (%s, %s; %s).", num(o.Headroom, 2), ev.Rate, ev.Level, ev.Why, ev.Source))
	}
	notes = append(notes, "The event handler exports no connection-pool gauges (only the challenge service registers `db_pool_*`): watch PostgreSQL's `pg_stat_activity` for it.")
	d.bullets(notes...)
}

func (r *Results) prodGuide(d *doc) {
	d.h(2, "Load Testing in Production")
	d.p("The same generator and limit definition the suite uses, pointed at a staging or production endpoint. Event load changes stored progress: use dedicated test users and a test namespace.")
	api := r.maxOf("scenario1")
	start := "a tenth of the measured maximum"
	if api.Rate > 0 {
		start = fmt.Sprintf("about %d RPS (a tenth of the measured %d RPS)", max(1, api.Rate/10), api.Rate)
	}
	d.code("bash", `# 1. Reproduce the measurements on a machine like the target (results under perf/results/<time>/)
PERF_PROFILE=nightly make perf RUN=Scenario1
PERF_PROFILE=nightly make perf RUN=Scenario2
make report RESULTS=perf/results/<time>          # regenerates docs/*.md and docs/charts/*.svg

# 2. Against a real endpoint: copy a plan and edit target.baseURL / target.grpcAddr / target.namespace,
#    fixtures (users.json and tokens.json of test accounts), and switch to ramping-arrival-rate stages
cp cmd/loadgen/plans/scenario1-api.json /tmp/prod-api.json
go run ./cmd/loadgen run --plan /tmp/prod-api.json --out /tmp/prod-api
#    exit code 99 = a threshold failed; abortOnFail thresholds stop the run early

# 3. Read the outcome: k6-format summary and per-second series
jq '.metrics.http_req_duration, .loadgen' /tmp/prod-api/summary.json
tail -n 5 /tmp/prod-api/timeseries.ndjson`)
	d.bullets(
		"Start at "+start+" and ramp in stages (`ramping-arrival-rate` with `stages`), holding each for several minutes.",
		"Keep `abortOnFail` thresholds on `http_req_failed` and `grpc_req_duration` in the plan so the generator stops itself at the suite's limits (error rate > 1%, API p95 > 2 s, event p95 > 500 ms).",
		"Watch the alerts above while it runs; check `loadgen.generator_limited` in `summary.json` before believing a limit — a saturated generator is not the service's limit.",
		"Run the generator from a machine other than the service's: in these results it shared the host (see the load generator self-report in PERFORMANCE_BASELINE.md).")
}
