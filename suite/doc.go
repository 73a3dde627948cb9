// Package suite is the performance suite's decision logic, apart from the containers it runs in:
// pure computation on load levels and their results, so that its tests run in `go test -short`
// without a Docker engine. It holds
//
//   - the limit definition a level is judged by (Thresholds, written into each scenario's
//     result.json and read back by the report) and the verdict rules (Judge);
//   - level stepping (Stepper): the ladder, the re-run of a level the generator's HTTP pool
//     limited, the confirming re-run of a level the baseline held, bisection between the last
//     level that held and the first that failed (subpackage levelsearch), and the repeat of the
//     found maximum;
//   - scenario 3's frontier search over the API × event matrix (SearchFrontier, Climb);
//   - the baseline gate (HeldByBaseline, Regressions) and the run's other failure conditions
//     (Failures);
//   - whether a level's de-duplication keys fit Redis' memory limit (CheckDedupeFits);
//   - scenario 6's fault analysis: error rates and recovery time around a fault (AnalyzeFault).
//
// Package perf (build tag perf) starts the stacks, runs the levels and scrapes them, and calls in
// here for every decision.
package suite
