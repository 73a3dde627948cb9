// Package loadgen is an open-model load generator with k6's arrival-rate
// semantics (constant-arrival-rate, ramping-arrival-rate), HdrHistogram
// latency trends, k6-compatible summary export and per-second time series.
//
// Usage (library, like vegeta/ghz):
//
//	plan, err := loadgen.LoadPlan("plan.json")
//	res, err := loadgen.Run(ctx, plan, loadgen.RunOptions{Progress: os.Stderr})
//	err = res.WriteDir("out")
//	os.Exit(res.ExitCode())
//
// ExampleRun is a complete run against a local server.
//
// # Engine and workloads
//
// This package is the engine: plans, executors and VUs, the HTTP (net/http)
// and gRPC (grpc-go) clients with k6's request metrics, fixtures and auth,
// thresholds, the summary and the generator's self-check. It knows no system
// under test. Its only workloads are generic calibration iterations (httpGet,
// grpcEmpty: see workload_generic.go).
//
// What a plan's scenarios run (their exec) comes from workload packages,
// which register with the engine in their init functions, so a program
// chooses them by importing the package:
//
//   - RegisterWorkload: an iteration by name; its factory runs once per
//     scenario before the clock starts and declares what it needs through the
//     ScenarioContext (HTTP, GRPC, env options, CheckEnv).
//   - ScenarioContext.ReserveUsers: users taken out of every scenario's random
//     pool (a probe whose values others must not change); the engine applies
//     the reservations after setup.
//   - ScenarioContext.RunState and AddArtifact: state shared by a run's
//     scenarios, and documents written next to the summary (Result.Artifacts).
//   - RegisterMetric: metrics beyond the built-in ones, recorded with VU.Add
//     and VU.AddDuration; thresholds, summary and time series treat them like
//     built-ins.
//   - RegisterPlanField: top-level plan fields the package owns and checks;
//     its workloads read them with Plan.Field and apply their own defaults.
//     A plan that uses a field no imported package registered is refused.
//
// The challenge service's workloads (apiLoad, eventLoad, e2eProbe, the event
// ground truth, the plan fields eventValues and statCodes) are package
// loadgen/challenge; cmd/loadgen links both.
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
