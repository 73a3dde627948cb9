package report

import (
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v2"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// alertRules is the YAML block of the tuning document's Monitoring Alerts.
func alertRules(t *testing.T, doc string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "## Monitoring Alerts")
	require.True(t, ok, "no Monitoring Alerts section")
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	require.True(t, ok, "no yaml block")
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok, "yaml block not closed")
	return block
}

var digitCommaDigit = regexp.MustCompile(`\d,\d`)

// The alert rules must load: valid YAML of the Prometheus rule-file shape, every expression's
// numbers plain (no thousands separators: `> 3,500` is a PromQL syntax error), every comparison's
// right-hand side a number.
func TestAlertRulesAreValid(t *testing.T) {
	for _, c := range goldenCases {
		docs := renderCase(t, c)
		doc, ok := docs[tuningDoc]
		if !ok {
			continue
		}
		var file struct {
			Groups []struct {
				Name  string `yaml:"name"`
				Rules []struct {
					Alert       string            `yaml:"alert"`
					Expr        string            `yaml:"expr"`
					For         string            `yaml:"for"`
					Annotations map[string]string `yaml:"annotations"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		require.NoError(t, yaml.UnmarshalStrict([]byte(alertRules(t, doc)), &file), c.name)
		require.NotEmpty(t, file.Groups, c.name)
		for _, g := range file.Groups {
			for _, r := range g.Rules {
				assert.NotEmpty(t, r.Alert)
				assert.False(t, digitCommaDigit.MatchString(r.Expr), "%s: %s: thousands separator in %q", c.name, r.Alert, r.Expr)
				i := strings.LastIndex(r.Expr, "> ")
				require.GreaterOrEqual(t, i, 0, "%s: %s has no threshold", c.name, r.Alert)
				_, err := strconv.ParseFloat(strings.TrimSpace(r.Expr[i+2:]), 64)
				assert.NoError(t, err, "%s: %s threshold", c.name, r.Alert)
			}
		}
	}
}

// The alert rules load with Prometheus' own rule-file parser (rulefmt, which also parses every
// expression as PromQL): what promtool check rules would say.
func TestAlertRulesLoadInPrometheus(t *testing.T) {
	for _, c := range goldenCases {
		doc, ok := renderCase(t, c)[tuningDoc]
		if !ok {
			continue
		}
		groups, errs := rulefmt.Parse([]byte(alertRules(t, doc)), false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		require.Empty(t, errs, "%s: the alert rules do not load in Prometheus", c.name)
		require.NotEmpty(t, groups.Groups, c.name)
	}
	// And the parser is strict enough to catch the old bug.
	_, errs := rulefmt.Parse([]byte("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(x[1m]) > 3,500\n"), false,
		model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	require.NotEmpty(t, errs, "a thousands separator must not load")
}

// A threshold of thousands renders without a separator (the bug: "> 3,500").
func TestAlertThresholdHasNoSeparator(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	writeResults(t, dir, false)
	res := readResult(t, dir, ScenarioAPI)
	res.Levels[1].RPS, res.MaxRPS = 5000, 5000
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "result.json"), res)
	rules := alertRules(t, mustGenerate(t, dir, defaults)[tuningDoc])
	assert.Contains(t, rules, "> 3500\n")
	assert.False(t, digitCommaDigit.MatchString(rules))
}

func readResult(t *testing.T, dir, name string) runresult.ScenarioResult {
	t.Helper()
	var res runresult.ScenarioResult
	ok, err := runresult.ReadJSON(filepath.Join(dir, name, "result.json"), &res)
	require.NoError(t, err)
	require.True(t, ok)
	return res
}

var maxStated = regexp.MustCompile(`(scenario\d) maximum: \*\*([^*]+)\*\*`)

// Every document states a scenario's maximum the same way, and every statement carries its
// conditions.
func TestMaximaAgreeAcrossDocuments(t *testing.T) {
	for _, c := range goldenCases {
		docs := renderCase(t, c)
		seen := map[string]map[string]string{} // scenario → figure → document
		for _, name := range []string{baselineDoc, capacityDoc, tuningDoc} {
			for _, m := range maxStated.FindAllStringSubmatchIndex(docs[name], -1) {
				d := docs[name]
				sc, fig := d[m[2]:m[3]], d[m[4]:m[5]]
				if seen[sc] == nil {
					seen[sc] = map[string]string{}
				}
				seen[sc][fig] = name
				after := d[m[1]:min(len(d), m[1]+400)]
				assert.True(t, strings.HasPrefix(after, " ("), "%s %s: %s maximum stated without its conditions: %q", c.name, name, sc, after[:min(len(after), 60)])
				assert.Regexp(t, `empty database|realistic state`, after, "%s %s: %s maximum without the data's state", c.name, name, sc)
				assert.Regexp(t, `host|level run once|bisection`, after, "%s %s: %s maximum without host or repetition", c.name, name, sc)
			}
		}
		for sc, figs := range seen {
			assert.Len(t, figs, 1, "%s: %s's maximum is stated differently: %v", c.name, sc, figs)
		}
	}
}

// The de-duplication finding reaches the summary when a store outgrows its memory at the measured
// rate, and not otherwise.
func TestDedupeFindingOnlyWithTheData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	writeResults(t, dir, false)
	base := mustGenerate(t, dir, defaults)[baselineDoc]
	summary, _, _ := strings.Cut(base, "## Scenario 1")
	assert.NotContains(t, summary, "de-duplication store", "no Redis limit known: no overflow can be shown")

	m := manifest()
	m.Containers["redis"] = runresult.ContainerManifest{Limits: runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30}}
	m.Containers["event-handler"] = runresult.ContainerManifest{Limits: runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30}, Env: []string{"ACK_MODE=buffered", "DB_MAX_OPEN_CONNS=40"}}
	writeJSON(t, filepath.Join(dir, ScenarioEvents, "manifest.json"), m)
	docs := mustGenerate(t, dir, defaults)
	summary, _, _ = strings.Cut(docs[baselineDoc], "## Scenario 1")
	assert.Contains(t, summary, "Growth of the de-duplication store (Redis, ACK_MODE=buffered)")
	assert.Contains(t, docs[baselineDoc], "## Bottleneck Summary")
	_, bn, _ := strings.Cut(docs[baselineDoc], "## Bottleneck Summary")
	assert.Contains(t, bn, "De-duplication store (Redis")
	assert.Contains(t, docs[tuningDoc], "Shorten DEDUPE_TTL")
	assert.Contains(t, docs[capacityDoc], "De-duplication store (ACK_MODE=buffered: Redis)?")

	// A TTL short enough for the store to fit: the finding leaves the summary.
	m.Containers["event-handler"] = runresult.ContainerManifest{Limits: runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30}, Env: []string{"ACK_MODE=buffered", "DEDUPE_TTL=1m"}}
	writeJSON(t, filepath.Join(dir, ScenarioEvents, "manifest.json"), m)
	docs = mustGenerate(t, dir, defaults)
	summary, _, _ = strings.Cut(docs[baselineDoc], "## Scenario 1")
	assert.NotContains(t, summary, "de-duplication store")
	assert.Contains(t, docs[tuningDoc], "DEDUPE_TTL = 1m0s fits Redis")
}

// Sentences that depend on the data appear only with it: the ≥ caveat only when a figure is a
// lower bound; "little to gain" only from a profile of a busy program.
func TestConditionalSentences(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	writeResults(t, dir, false)
	docs := mustGenerate(t, dir, defaults)
	assert.Contains(t, docs[capacityDoc], "Figures marked ≥", "scenario2 is a smoke level: a lower bound")
	assert.Contains(t, docs[tuningDoc], "Profile challenge-service at its maximum before optimising it")
	assert.NotContains(t, docs[tuningDoc], "In challenge-service, CPU goes mostly", "the profile was taken at 9% CPU")

	res := readResult(t, dir, ScenarioEvents)
	res.Profile, res.StoppedAt = "nightly", "2000 EPS"
	failed := res.Levels[0]
	failed.Level, failed.EPS, failed.Verdict, failed.Dir = "2000 EPS", 2000, runresult.VerdictLimit, ""
	res.Levels = append(res.Levels, failed)
	writeJSON(t, filepath.Join(dir, ScenarioEvents, "result.json"), res)
	res = readResult(t, dir, ScenarioAPI)
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "result.json"), res)
	docs = mustGenerate(t, dir, defaults)
	assert.NotContains(t, docs[capacityDoc], "Figures marked ≥", "no figure is a lower bound")
	assert.NotContains(t, docs[capacityDoc], "≥ ")
}

// A result that measured another implementation, or could not measure everything, says so in its
// scenario's section; this repository's fully measured results print nothing of the kind.
func TestTargetAndNotMeasuredAreStated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	writeResults(t, dir, false)
	base := mustGenerate(t, dir, defaults)[baselineDoc]
	assert.NotContains(t, base, "**Implementation measured")
	assert.Contains(t, base, "| Implementation measured | this repository's service/")

	r := readResult(t, dir, ScenarioEvents)
	r.Target = &runresult.TargetInfo{Impl: "reference", External: true, Description: "extend-challenge",
		NotMeasured: []string{"PostgreSQL statistics (PERF_TARGET_POSTGRES_DSN not given)"},
		Quirks:      []string{"users exist only after POST /v1/challenges/initialize"}}
	writeJSON(t, filepath.Join(dir, ScenarioEvents, runresult.ResultFile), r)
	base = mustGenerate(t, dir, defaults)[baselineDoc]
	_, sec, _ := strings.Cut(base, "## Scenario 2")
	sec, _, _ = strings.Cut(sec, "\n## ")
	assert.Contains(t, sec, "**Implementation measured: reference** (an external target, reached by address) — extend-challenge.")
	assert.Contains(t, sec, "- PostgreSQL statistics (PERF_TARGET_POSTGRES_DSN not given)")
	assert.Contains(t, sec, "- users exist only after POST /v1/challenges/initialize")
	assert.Contains(t, base, "| Implementation measured | this repository's service/ (challenge service and event handler) (scenario1, scenario3, scenario4, scenario5); reference, external target reached by address (scenario2) |")
}

// applied_events (durable mode) records login ids only, on disk: its projection uses the measured
// share of events that leave an id and is never compared with a container's memory.
func TestAppliedEventsProjectionCountsLoginsOnDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	writeResults(t, dir, false)
	r := readResult(t, dir, ScenarioEvents)
	l := &r.Levels[0]
	events := int64(float64(l.EPS) * l.DurationSec)
	require.Positive(t, events)
	l.DB = &runresult.DBAnalysis{Tables: []runresult.TableStat{{Table: "applied_events", LiveRows: events / 5, TotalBytes: events / 5 * 150}}}
	writeJSON(t, filepath.Join(dir, ScenarioEvents, runresult.ResultFile), r)
	docs := mustGenerate(t, dir, defaults)
	_, limits, _ := strings.Cut(docs[baselineDoc], "### What limits it")
	limits, _, _ = strings.Cut(limits, "<sub>")
	assert.NotContains(t, limits, "applied_events", "a table on disk does not outgrow a memory limit")
	assert.Contains(t, docs[capacityDoc], "20% of events leave an id (logins only")
	assert.Contains(t, docs[capacityDoc], "= 1,000 × 0.2 × 3,600 s × 150 B = **103 MiB** on disk")
	assert.Contains(t, docs[capacityDoc], "E × 0.2 (the share of events that leave an id) × APPLIED_EVENTS_RETENTION")
}
