package loadgen

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Summary is k6's legacy --summary-export document plus a "loadgen" section.
type Summary struct {
	RootGroup Group                     `json:"root_group"`
	Metrics   map[string]map[string]any `json:"metrics"`
	Loadgen   SelfReport                `json:"loadgen"`
}

// Group is k6's group object (only the root group exists here).
type Group struct {
	Name   string           `json:"name"`
	Path   string           `json:"path"`
	ID     string           `json:"id"`
	Groups map[string]Group `json:"groups"`
	Checks map[string]Check `json:"checks"`
}

// Check is k6's per-check tally.
type Check struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	ID     string `json:"id"`
	Passes int64  `json:"passes"`
	Fails  int64  `json:"fails"`
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

var defaultTrendStats = []string{StatAvg, StatMin, StatMed, StatMax, StatP90, StatP95, StatP99}

// trendStatValue evaluates one summaryTrendStats column.
func trendStatValue(a *aggregate, stat string) float64 {
	if strings.HasPrefix(stat, "p(") {
		p, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(stat, "p("), ")")), 64)
		return a.scale(a.trend.Percentile(p))
	}
	if stat == StatCount {
		return float64(a.trend.Count())
	}
	return a.scale(a.trend.Stat(stat, 0))
}

func (c *collector) summary(p *Plan, elapsed float64, ths []*boundThreshold) Summary {
	stats := p.SummaryTrendStats
	if len(stats) == 0 {
		stats = defaultTrendStats
	}
	s := Summary{
		RootGroup: Group{ID: md5hex(""), Groups: map[string]Group{}, Checks: map[string]Check{}},
		Metrics:   map[string]map[string]any{},
	}
	for _, name := range c.checkOrd {
		ck := c.checks[name]
		path := "::" + name
		s.RootGroup.Checks[name] = Check{Name: name, Path: path, ID: md5hex(path), Passes: ck[0], Fails: ck[1]}
	}
	keys, aggs := c.store.keys()
	for _, th := range ths { // thresholded metrics appear even without samples
		if _, ok := aggs[th.Key]; !ok {
			if a := c.store.lookup(th.Key); a != nil {
				aggs[th.Key] = a
				keys = append(keys, th.Key)
			}
		}
	}
	for _, k := range keys {
		a := aggs[k]
		m := map[string]any{}
		switch a.def.Kind {
		case KindCounter:
			m[StatCount] = a.sum
			m[StatRate] = 0.0
			if elapsed > 0 {
				m[StatRate] = a.sum / elapsed
			}
		case KindGauge:
			m[StatValue], m[StatMin], m[StatMax] = a.gauge, a.gaugeMin, a.gaugeMax
		case KindRate:
			m[StatValue] = a.value(Threshold{Method: StatRate}, elapsed)
			m["passes"], m["fails"] = a.nonZero, a.total-a.nonZero
		case KindTrend:
			for _, st := range stats {
				m[st] = trendStatValue(a, st)
			}
		}
		s.Metrics[k] = m
	}
	for _, th := range ths {
		m := s.Metrics[th.Key]
		t, _ := m["thresholds"].(map[string]bool)
		if t == nil {
			t = map[string]bool{}
			m["thresholds"] = t
		}
		t[th.Source] = t[th.Source] || th.Failed // k6 export: true means FAILED
	}
	return s
}

// The files every run writes; artifacts may not take these names.
const (
	summaryFile    = "summary.json"
	timeseriesFile = "timeseries.ndjson"
)

// WriteDir writes summary.json, timeseries.ndjson and one file per artifact
// the workloads added into dir (created if missing).
func (r *Result) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(dir, summaryFile), r.Summary); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, timeseriesFile))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, l := range r.Timeseries {
		if err := enc.Encode(l); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	names := make([]string, 0, len(r.Artifacts))
	for name := range r.Artifacts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := writeArtifact(filepath.Join(dir, name), r.Artifacts[name]); err != nil {
			return err
		}
	}
	return nil
}

func writeArtifact(path string, a Artifact) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := a.WriteArtifact(w); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
