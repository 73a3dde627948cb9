// Package abtest decides whether a head revision is slower than a base revision from runs of
// both measured on one machine, interleaved (A B A B …): per metric, a one-sided exact
// Mann-Whitney U test on the per-run values (is B stochastically larger than A?) and a minimum
// effect on the ratio of medians, plus an absolute floor for latencies. Both must hold for a
// regression: the test says the difference is not noise, the effect says it matters.
//
// It is pure: it reads results files (result.json, each level's summary.json) and computes; the
// command that builds images and runs the suite is cmd/perfcompare. docs/AB_COMPARE.md explains
// the choices.
package abtest
