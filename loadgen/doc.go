// Package loadgen is an open-model load generator with k6's arrival-rate
// semantics (constant-arrival-rate, ramping-arrival-rate), HdrHistogram
// latency trends, k6-compatible summary export, per-second time series and
// an event ground-truth log for verifying the event handler.
//
// Usage (library, like vegeta/ghz):
//
//	plan, err := loadgen.LoadPlan("plan.json")
//	res, err := loadgen.Run(ctx, plan, loadgen.RunOptions{Progress: os.Stderr})
//	err = res.WriteDir("out")
//	os.Exit(res.ExitCode())
//
// Percentiles come from HdrHistograms (3 significant digits, microsecond
// unit) while min, max and avg are exact. k6 keeps every sample and
// interpolates; the two differ by at most 0.1 % plus rank rounding.
//
// Self-honesty: the summary's "loadgen" section reports the process CPU time
// and flags generator_limited when VUs waited for the HTTP pool (http_req_blocked
// p95 above max(5 ms, 10% of the mean request time): pool_limited), or when the symptoms of an overloaded generator
// (iteration_lag p99 > 50 ms, or more than 1 % dropped iterations) coincide
// with a generator-side cause: the process used >= 90 % of the cores it may
// use (GOMAXPROCS), or the lag p99 exceeds twice the request-duration p99
// (VUs started late although the target answered fast). Drops that happen
// while requests are slow and all maxVUs are busy are reported as
// vus_exhausted instead: the target (or a too small maxVUs) limited the run.
package loadgen
