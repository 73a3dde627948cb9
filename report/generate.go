package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options are the command's choices that are not in the results.
type Options struct {
	Headroom         float64 // fraction of the measured maximum an instance is planned at (0.7)
	PricePerVCPUHour float64 // price per vCPU-hour; 0 = not given (no $ figures)
	PriceSource      string  // where the price comes from (stated next to every amount)
}

// DefaultPrice is the command's default price per vCPU-hour and its source: an input of the cost
// projection, not a measurement.
const (
	DefaultPricePerVCPUHour = 0.048
	DefaultPriceSource      = "AWS EC2 on-demand, us-east-1, Linux, m6i.large ($0.096 per hour for 2 vCPUs and 8 GiB), aws.amazon.com/ec2/pricing/on-demand; a published list price not re-checked from the measuring machine, which has no internet access"
)

// Generate loads the results and writes the three documents and their charts under outDir.
func Generate(resultsDir, outDir string, o Options) ([]string, error) {
	if o.Headroom <= 0 || o.Headroom > 1 {
		return nil, fmt.Errorf("headroom %v must be in (0, 1]", o.Headroom)
	}
	if o.PricePerVCPUHour < 0 {
		return nil, fmt.Errorf("price per vCPU-hour %v must not be negative", o.PricePerVCPUHour)
	}
	r, err := Load(resultsDir)
	if err != nil {
		return nil, err
	}
	charts, err := r.Charts()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, d := range []struct {
		name   string
		render func() (string, error)
	}{
		{"PERFORMANCE_BASELINE.md", func() (string, error) { return r.Baseline(charts) }},
		{"CAPACITY_PLANNING.md", func() (string, error) { return r.Capacity(o) }},
		{"PERFORMANCE_TUNING.md", func() (string, error) { return r.TuningDoc(o, charts) }},
	} {
		text, err := d.render()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.name, err)
		}
		files[d.name] = []byte(text)
	}
	for _, c := range charts {
		files[filepath.Join("charts", c.Name)] = c.SVG
	}
	if err := os.MkdirAll(filepath.Join(outDir, "charts"), 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, name := range []string{"PERFORMANCE_BASELINE.md", "CAPACITY_PLANNING.md", "PERFORMANCE_TUNING.md"} {
		written = append(written, filepath.Join(outDir, name))
	}
	for _, c := range charts {
		written = append(written, filepath.Join(outDir, "charts", c.Name))
	}
	for _, p := range written {
		rel, _ := filepath.Rel(outDir, p)
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return nil, err
		}
	}
	return written, removeStaleCharts(filepath.Join(outDir, "charts"), files)
}

// removeStaleCharts deletes charts an earlier run generated that these results no longer have,
// so the directory always matches the documents (only this package's chart names are touched).
func removeStaleCharts(dir string, keep map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".svg") || keep[filepath.Join("charts", n)] != nil {
			continue
		}
		for _, prefix := range []string{"latency_scenario", "rate_scenario", "cpu_scenario", "e2e_scenario", "e2e_timeline_scenario",
			"memory_scenario", "frontier_scenario", "db_connections_scenario", "sweep_", "timeline_scenario"} {
			if strings.HasPrefix(n, prefix) {
				if err := os.Remove(filepath.Join(dir, n)); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}
