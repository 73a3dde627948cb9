package runner

import (
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// scrape parses a /metrics page as the handler exports it.
func scrape(t *testing.T, flushes, secs, entries, errors string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(`# TYPE buffer_flush_duration_seconds histogram
buffer_flush_duration_seconds_bucket{le="+Inf"} ` + flushes + `
buffer_flush_duration_seconds_sum ` + secs + `
buffer_flush_duration_seconds_count ` + flushes + `
# TYPE buffer_flush_entries histogram
buffer_flush_entries_bucket{le="+Inf"} ` + flushes + `
buffer_flush_entries_sum ` + entries + `
buffer_flush_entries_count ` + flushes + `
# TYPE buffer_flush_errors_total counter
buffer_flush_errors_total ` + errors + `
`))
	require.NoError(t, err)
	return fams
}

func TestFlushDelta(t *testing.T) {
	before := scrape(t, "100", "0.5", "2000", "1")
	after := scrape(t, "1100", "2.5", "42000", "3")
	assert.Equal(t, &runresult.FlushStats{Flushes: 1000, AvgMs: 2, AvgEntries: 40, Errors: 2}, FlushDelta(before, after))
	assert.Equal(t, &runresult.FlushStats{}, FlushDelta(after, after), "no flush: no averages")
}
