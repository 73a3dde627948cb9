package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// Chart is one rendered SVG.
type Chart struct {
	Name   string // file name in charts/
	Title  string
	Source string // results file(s) the data came from
	Note   string // what the chart leaves out, if anything
	SVG    []byte
}

const chartW, chartH = 18 * vg.Centimeter, 10 * vg.Centimeter

// renderSVG draws a plot to SVG without embedded fonts (deterministic bytes).
func renderSVG(p *plot.Plot) ([]byte, error) {
	c := vgsvg.New(chartW, chartH)
	p.Draw(draw.New(c))
	return writeSVG(c)
}

// writeSVG is a drawn canvas' bytes.
func writeSVG(c *vgsvg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(4)
	p.Add(plotter.NewGrid())
	return p
}

// Charts renders every chart the results support, in a fixed order.
func (r *Results) Charts() ([]Chart, error) {
	var out []Chart
	add := func(c *Chart, err error) error {
		if err != nil {
			return err
		}
		if c != nil {
			out = append(out, *c)
		}
		return nil
	}
	for _, name := range []string{ScenarioAPI, ScenarioEvents} {
		if s := r.Get(name); s != nil {
			if err := add(r.latencyChart(s)); err != nil {
				return nil, err
			}
			if err := add(r.rateChart(s)); err != nil {
				return nil, err
			}
		}
	}
	if s := r.Get(ScenarioCombined); s != nil {
		if err := add(r.combinedLatencyChart(s)); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{ScenarioAPI, ScenarioEvents, ScenarioCombined} {
		if s := r.Get(name); s != nil {
			if err := add(r.cpuChart(s)); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range []string{ScenarioAPI, ScenarioEvents} {
		if s := r.Get(name); s != nil {
			if err := add(r.memoryChart(s)); err != nil {
				return nil, err
			}
		}
	}
	if s := r.Get(ScenarioCombined); s != nil {
		if err := add(r.frontierChart(s)); err != nil {
			return nil, err
		}
	}
	if s, l := r.dbLevel(); l != nil {
		if err := add(r.dbConnectionsChart(s)); err != nil {
			return nil, err
		}
	}
	if s := r.Get(ScenarioE2E); s != nil {
		if err := add(r.e2eChart(s)); err != nil {
			return nil, err
		}
		if err := add(r.e2eTimelineChart(s)); err != nil {
			return nil, err
		}
	}
	if t := r.Tuning; t != nil {
		var params []string
		for _, row := range t.Rows {
			if !slices.Contains(params, row.Param) {
				params = append(params, row.Param)
			}
		}
		for _, p := range params {
			if err := add(r.sweepChart(p)); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range r.scenarios() {
		for i := range s.Result.Levels {
			if err := add(r.timelineChart(s, &s.Result.Levels[i])); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// primarySide is the side a scenario 1 or 2 level is about.
func primarySide(l *runresult.LevelResult) *runresult.Side {
	if l.API != nil {
		return l.API
	}
	return l.Events
}

func unitOf(s *Scenario) string {
	if s.Name == ScenarioAPI {
		return "RPS"
	}
	return "EPS"
}

// padRange widens a degenerate (single level) axis range.
func padRange(a *plot.Axis, lo, hi float64) {
	if lo == hi {
		lo, hi = lo*0.5, hi*1.5
		if hi == 0 {
			hi = 1
		}
	}
	a.Min, a.Max = lo-(hi-lo)*0.05, hi+(hi-lo)*0.05
}

func (r *Results) latencyChart(s *Scenario) (*Chart, error) {
	type series struct {
		name string
		get  func(*runresult.Side) float64
	}
	all := []series{{"p50", func(sd *runresult.Side) float64 { return sd.P50ms }}, {"p95", func(sd *runresult.Side) float64 { return sd.P95ms }}, {"p99", func(sd *runresult.Side) float64 { return sd.P99ms }}}
	p := newPlot(fmt.Sprintf("%s: latency vs offered load", s.Name), "offered load ("+unitOf(s)+")", "latency (ms)")
	var xs, ys []float64
	var failed plotter.XYs
	for i, se := range all {
		var pts plotter.XYs
		for j := range s.Result.Levels {
			l := &s.Result.Levels[j]
			if sd := primarySide(l); sd != nil {
				pts = append(pts, plotter.XY{X: sd.TargetRate, Y: se.get(sd)})
				xs, ys = append(xs, sd.TargetRate), append(ys, se.get(sd))
				if se.name == "p95" && l.Verdict != runresult.VerdictPass {
					failed = append(failed, plotter.XY{X: sd.TargetRate, Y: sd.P95ms})
				}
			}
		}
		if len(pts) == 0 {
			return nil, nil
		}
		sortXY(pts)
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		l.Color, sc.Color = plotutil.Color(i), plotutil.Color(i)
		sc.Shape = plotutil.Shape(i)
		p.Add(l, sc)
		p.Legend.Add(se.name, l, sc)
	}
	if err := markFailed(p, failed, "failed level (its p95)"); err != nil {
		return nil, err
	}
	logX(p, xs)
	logY(p, ys)
	return r.chart(p, "latency_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json"))
}

// markFailed draws a red cross over the points of failed levels.
func markFailed(p *plot.Plot, pts plotter.XYs, name string) error {
	return scatterOf(p, name, pts, color.RGBA{R: 200, A: 255}, draw.CrossGlyph{})
}

// logY switches to a log scale when the values span more than two decades.
func logY(p *plot.Plot, ys []float64) {
	lo, hi := math.Inf(1), 0.0
	for _, y := range ys {
		if y > 0 {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
	}
	if hi > 0 && hi/lo > 100 {
		setLog(&p.Y, lo/1.5, hi*4)
		return
	}
	p.Y.Min, p.Y.Max = 0, maxOf(ys)*1.35
}

func (r *Results) rateChart(s *Scenario) (*Chart, error) {
	p := newPlot(fmt.Sprintf("%s: achieved vs offered rate", s.Name), "offered ("+unitOf(s)+")", "achieved ("+unitOf(s)+")")
	var pts, failed plotter.XYs
	var xs []float64
	hi := 0.0
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		if sd := primarySide(l); sd != nil {
			pts = append(pts, plotter.XY{X: sd.TargetRate, Y: sd.AchievedRate})
			xs = append(xs, sd.TargetRate)
			hi = math.Max(hi, math.Max(sd.TargetRate, sd.AchievedRate))
			if l.Verdict != runresult.VerdictPass {
				failed = append(failed, plotter.XY{X: sd.TargetRate, Y: sd.AchievedRate})
			}
		}
	}
	if len(pts) == 0 {
		return nil, nil
	}
	sortXY(pts)
	lo := minOf(xs)
	logScale := lo > 0 && maxOf(xs)/lo > 10
	start := 0.0
	if logScale {
		start = lo / 1.3
	}
	ideal, err := plotter.NewLine(plotter.XYs{{X: start, Y: start}, {X: hi * 1.3, Y: hi * 1.3}})
	if err != nil {
		return nil, err
	}
	ideal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	ideal.Color = color.Gray{Y: 128}
	l, sc, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	l.Color, sc.Color = plotutil.Color(0), plotutil.Color(0)
	p.Add(ideal, l, sc)
	p.Legend.Add("y = x (achieved = offered)", ideal)
	p.Legend.Add("measured", l, sc)
	if err := markFailed(p, failed, "failed level"); err != nil {
		return nil, err
	}
	if logScale {
		setLog(&p.X, lo/1.3, hi*1.3)
		setLog(&p.Y, lo/1.3, hi*1.3)
	} else {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, hi*1.1, 0, hi*1.1
	}
	return r.chart(p, "rate_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json"))
}

// groupedBars draws one bar per series and category.
func groupedBars(p *plot.Plot, cats []string, names []string, vals [][]float64) error {
	n := len(names)
	w := vg.Points(math.Min(20, 300/float64(max(1, n*len(cats)))))
	for i := range names {
		b, err := plotter.NewBarChart(plotter.Values(vals[i]), w)
		if err != nil {
			return err
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = w * vg.Length(float64(i)-float64(n-1)/2)
		p.Add(b)
		p.Legend.Add(names[i], b)
	}
	p.NominalX(cats...)
	p.Y.Min = 0
	return nil
}

func (r *Results) combinedLatencyChart(s *Scenario) (*Chart, error) {
	var cats []string
	vals := [][]float64{{}, {}}
	for _, l := range s.Result.Levels {
		if l.API == nil || l.Events == nil {
			continue
		}
		cats = append(cats, fmt.Sprintf("%d+%d", l.RPS, l.EPS))
		vals[0] = append(vals[0], l.API.P95ms)
		vals[1] = append(vals[1], l.Events.P95ms)
	}
	if len(cats) == 0 {
		return nil, nil
	}
	p := newPlot(s.Name+": p95 latency per cell", "cell (RPS + EPS)", "p95 latency (ms)")
	if err := groupedBars(p, cats, []string{"API p95", "event p95"}, vals); err != nil {
		return nil, err
	}
	p.Y.Max = maxOf(flatten(vals)) * 1.35
	return r.chart(p, "latency_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json"))
}

func (r *Results) cpuChart(s *Scenario) (*Chart, error) {
	containers := map[string]bool{}
	for _, l := range s.Result.Levels {
		for c := range l.Resources {
			containers[c] = true
		}
	}
	names := make([]string, 0, len(containers))
	for c := range containers {
		if s.cpuLimit(c) > 0 {
			names = append(names, c)
		}
	}
	sort.Strings(names)
	if len(names) == 0 || len(s.Result.Levels) == 0 {
		return nil, nil
	}
	var cats []string
	vals := make([][]float64, len(names))
	// The host (every container plus the generator, % of the host's CPUs): on a shared 2-core host
	// it is often the first to run out (the host_limited verdict).
	var host []float64
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		cat := l.Level
		if l.Verdict != runresult.VerdictPass {
			cat += " ✗"
		}
		cats = append(cats, cat)
		for i, c := range names {
			vals[i] = append(vals[i], l.Resources[c].CPUAvgPct/s.cpuLimit(c))
		}
		if used, avail := s.hostUse(l); avail > 0 {
			host = append(host, 100*used/avail)
		}
	}
	if len(host) == len(cats) {
		names = append(names, "host (all containers + generator)")
		vals = append(vals, host)
	}
	p := newPlot(fmt.Sprintf("%s: CPU per container and of the host vs load", s.Name), "level", "CPU avg, % of limit (host: % of its CPUs)")
	if err := groupedBars(p, cats, names, vals); err != nil {
		return nil, err
	}
	limit, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 100}, {X: float64(len(cats)) - 0.5, Y: 100}})
	if err != nil {
		return nil, err
	}
	limit.Color = color.RGBA{R: 200, A: 255}
	limit.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(limit)
	p.Legend.Add("limit", limit)
	p.Y.Max = math.Max(100, maxOf(flatten(vals))) * 1.3
	c, err := r.chart(p, "cpu_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json")+", "+r.src(s.Name, "manifest.json"))
	if c != nil {
		c.Note = "Levels marked ✗ failed. The host bars are every container plus the load generator as a share of the host's CPUs: the shared machine's limit, which a container's own limit does not show."
	}
	return c, err
}

func (r *Results) e2eChart(s *Scenario) (*Chart, error) {
	var l *runresult.LevelResult
	for i := range s.Result.Levels {
		if s.Result.Levels[i].E2E != nil {
			l = &s.Result.Levels[i]
		}
	}
	if l == nil {
		return nil, nil
	}
	e := l.E2E
	p := newPlot(fmt.Sprintf("%s: E2E latency, %d probes", s.Name, e.Probes), "percentile", "ack → visible in API (ms)")
	if err := groupedBars(p, []string{"p50", "p95", "p99", "max"}, []string{"E2E latency"}, [][]float64{{e.P50ms, e.P95ms, e.P99ms, e.MaxMs}}); err != nil {
		return nil, err
	}
	top := e.MaxMs
	if d, err := time.ParseDuration(e.FlushInterval); err == nil {
		flush := float64(d) / float64(time.Millisecond)
		fl, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: flush}, {X: 3.5, Y: flush}})
		if err != nil {
			return nil, err
		}
		fl.Color = color.RGBA{R: 200, A: 255}
		fl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(fl)
		p.Legend.Add("flush interval "+e.FlushInterval, fl)
		top = math.Max(top, flush)
	}
	p.Y.Max = top * 1.3
	return r.chart(p, "e2e_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json"))
}

func (r *Results) chart(p *plot.Plot, name, title, source string) (*Chart, error) {
	svg, err := renderSVG(p)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", name, err)
	}
	return &Chart{Name: name, Title: title, Source: source, SVG: svg}, nil
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

func flatten(v [][]float64) []float64 {
	var out []float64
	for _, x := range v {
		out = append(out, x...)
	}
	return out
}

// e2eSeries reads scenario 5's per-second E2E p95 from a level's timeseries.ndjson; seconds in
// which no probe completed have no e2e_latency entry and are counted in skipped.
func e2eSeries(path string) (pts plotter.XYs, skipped int, err error) {
	lines, err := loadgen.ReadTimeseries(path)
	if err != nil {
		return nil, 0, err
	}
	for _, line := range lines {
		if line.Scenario != "e2e" {
			continue
		}
		if v, ok := line.Latency["e2e_latency"]; ok {
			pts = append(pts, plotter.XY{X: line.T, Y: v.P95})
		} else {
			skipped++
		}
	}
	return pts, skipped, nil
}

func (r *Results) e2eTimelineChart(s *Scenario) (*Chart, error) {
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		if l.E2E == nil {
			continue
		}
		rel := filepath.Join(s.Name, LevelDirName(*l), "timeseries.ndjson")
		pts, skipped, err := e2eSeries(filepath.Join(r.Dir, rel))
		if os.IsNotExist(err) || (err == nil && len(pts) == 0) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		p := newPlot(s.Name+": E2E latency per second, and its rolling median", "time since start (s)", "ack → visible in API (ms)")
		if err := scatterOf(p, "p95 of the probes completed in that second", pts, plotutil.Color(1), draw.CircleGlyph{}); err != nil {
			return nil, err
		}
		if err := lineOf(p, fmt.Sprintf("rolling median over %d s", e2eWindow), 0, rollingMedian(pts, e2eWindow), false); err != nil {
			return nil, err
		}
		p.Y.Min, p.Y.Max = 0, maxOf(ysOf(pts))*1.35
		c, err := r.chart(p, "e2e_timeline_"+s.Name+".svg", p.Title.Text, r.src(filepath.ToSlash(rel)))
		if c != nil {
			perSec := 0.0
			if l.DurationSec > 0 {
				perSec = float64(l.E2E.Probes) / l.DurationSec
			}
			c.Note = fmt.Sprintf("About %s probes complete per second, so a second's \"p95\" is close to the slowest of them; a probe waits for the next flush (BUFFER_FLUSH_INTERVAL %s), and the flush cycle beating against the probe schedule draws a regular saw-tooth that is not a change of load. The rolling median is the level's trend.", num(perSec, 1), orDash(l.E2E.FlushInterval))
			if skipped > 0 {
				c.Note += fmt.Sprintf(" %d of %d one-second intervals had no completed probe and are not plotted.", skipped, skipped+len(pts))
			}
		}
		return c, err
	}
	return nil, nil
}

// e2eWindow is the rolling median's window of the E2E timeline, in one-second points.
const e2eWindow = 10

// rollingMedian is the median of each point and the window-1 before it.
func rollingMedian(pts plotter.XYs, window int) plotter.XYs {
	out := make(plotter.XYs, 0, len(pts))
	for i := range pts {
		lo := max(0, i-window+1)
		ys := ysOf(pts[lo : i+1])
		sort.Float64s(ys)
		m := ys[len(ys)/2]
		if len(ys)%2 == 0 {
			m = (ys[len(ys)/2-1] + ys[len(ys)/2]) / 2
		}
		out = append(out, plotter.XY{X: pts[i].X, Y: m})
	}
	return out
}

// Over-time and planning charts.

// statSample is one line of a level's container_stats.ndjson (written by the harness).
type statSample struct {
	Time        time.Time `json:"t"`
	Role        string    `json:"role"`
	CPUPercent  float64   `json:"cpu_percent"` // 100 = one core
	MemoryBytes uint64    `json:"memory_bytes"`
}

// readStats reads container_stats.ndjson (nil, nil when it is missing).
func readStats(path string) ([]statSample, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []statSample
	for dec := json.NewDecoder(f); ; {
		var s statSample
		switch err := dec.Decode(&s); {
		case errors.Is(err, io.EOF):
			return out, nil
		case err != nil:
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, s)
	}
}

// readSeries reads timeseries.ndjson (nil, nil when it is missing).
func readSeries(path string) ([]loadgen.TimeseriesLine, error) {
	lines, err := loadgen.ReadTimeseries(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return lines, err
}

// lineOf adds one named series to a plot in colour i.
func lineOf(p *plot.Plot, name string, i int, pts plotter.XYs, dashed bool) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.Color = plotutil.Color(i)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// timelineChart is one level over time: p95 latency, throughput, errors and drops per second per
// traffic kind, and every container's CPU and memory.
func (r *Results) timelineChart(s *Scenario, l *runresult.LevelResult) (*Chart, error) {
	dir := filepath.Join(r.Dir, s.Name, LevelDirName(*l))
	series, err := readSeries(filepath.Join(dir, "timeseries.ndjson"))
	if err != nil {
		return nil, err
	}
	stats, err := readStats(filepath.Join(dir, "container_stats.ndjson"))
	if err != nil {
		return nil, err
	}
	if len(series) == 0 && len(stats) == 0 {
		return nil, nil
	}
	title := fmt.Sprintf("%s at %s (%s)", s.Name, l.Level, l.Verdict)
	lat := newPlot(title+": p95 latency", "time since the generator started (s)", "p95 (ms)")
	thr := newPlot("throughput", "time since the generator started (s)", "per second")
	errp := newPlot("errors and dropped iterations", "time since the generator started (s)", "per second")
	cpu := newPlot("CPU per container (100% = one core)", "time since the first stats sample (s)", "CPU %")
	mem := newPlot("memory per container", "time since the first stats sample (s)", "MiB")
	kinds := map[string]bool{}
	for _, ln := range series {
		if ln.Scenario != "_all" {
			kinds[ln.Scenario] = true
		}
	}
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, k := range names {
		var p95, ach, tgt, errs, drop plotter.XYs
		for _, ln := range series {
			if ln.Scenario != k {
				continue
			}
			if ln.P95 > 0 {
				p95 = append(p95, plotter.XY{X: ln.T, Y: ln.P95})
			}
			ach = append(ach, plotter.XY{X: ln.T, Y: ln.Achieved})
			tgt = append(tgt, plotter.XY{X: ln.T, Y: ln.TargetRate})
			errs = append(errs, plotter.XY{X: ln.T, Y: float64(ln.Errors)})
			drop = append(drop, plotter.XY{X: ln.T, Y: float64(ln.Dropped)})
		}
		for _, add := range []struct {
			p      *plot.Plot
			name   string
			pts    plotter.XYs
			dashed bool
		}{{lat, k + " p95", p95, false}, {thr, k + " achieved", ach, false}, {thr, k + " target", tgt, true}, {errp, k + " errors", errs, false}, {errp, k + " dropped", drop, true}} {
			if err := lineOf(add.p, add.name, i, add.pts, add.dashed); err != nil {
				return nil, err
			}
		}
	}
	var gen plotter.XYs
	for _, ln := range series {
		if ln.Scenario == "_all" && ln.CPU > 0 {
			gen = append(gen, plotter.XY{X: ln.T, Y: 100 * ln.CPU})
		}
	}
	roles := map[string]plotter.XYs{}
	memPts := map[string]plotter.XYs{}
	var t0 time.Time
	for _, st := range stats {
		if t0.IsZero() || st.Time.Before(t0) {
			t0 = st.Time
		}
	}
	for _, st := range stats {
		x := st.Time.Sub(t0).Seconds()
		roles[st.Role] = append(roles[st.Role], plotter.XY{X: x, Y: st.CPUPercent})
		memPts[st.Role] = append(memPts[st.Role], plotter.XY{X: x, Y: float64(st.MemoryBytes) / (1 << 20)})
	}
	var rs []string
	for k := range roles {
		rs = append(rs, k)
	}
	sort.Strings(rs)
	for i, k := range rs {
		if err := lineOf(cpu, k, i, roles[k], false); err != nil {
			return nil, err
		}
		if err := lineOf(mem, k, i, memPts[k], false); err != nil {
			return nil, err
		}
	}
	if err := lineOf(cpu, "load generator (its own clock)", len(rs), gen, true); err != nil {
		return nil, err
	}
	plots := [][]*plot.Plot{{lat}, {thr}, {errp}, {cpu}, {mem}}
	for _, row := range plots {
		row[0].Y.Min = 0
		row[0].Legend.Left = false
	}
	w, h := chartW, 5*chartH*6/10
	c := vgsvg.New(w, h)
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadY: vg.Points(6), PadTop: vg.Points(2), PadBottom: vg.Points(2)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	svg, err := writeSVG(c)
	if err != nil {
		return nil, err
	}
	src := []string{}
	if len(series) > 0 {
		src = append(src, r.src(s.Name, LevelDirName(*l), "timeseries.ndjson"))
	}
	if len(stats) > 0 {
		src = append(src, r.src(s.Name, LevelDirName(*l), "container_stats.ndjson"))
	}
	return &Chart{Name: "timeline_" + s.Name + "_" + LevelDirName(*l) + ".svg", Title: title + " over time", Source: strings.Join(src, ", "), SVG: svg}, nil
}

// frontierChart is scenario 3's cells on the RPS × EPS plane, held and failed, with the frontier.
func (r *Results) frontierChart(s *Scenario) (*Chart, error) {
	var pass, fail plotter.XYs
	for _, l := range s.Result.Levels {
		if l.RPS == 0 && l.EPS == 0 {
			continue
		}
		pt := plotter.XY{X: float64(l.RPS), Y: float64(l.EPS)}
		if l.Verdict == runresult.VerdictPass {
			pass = append(pass, pt)
		} else {
			fail = append(fail, pt)
		}
	}
	if len(pass)+len(fail) == 0 {
		return nil, nil
	}
	p := newPlot(s.Name+": API rate × event rate, cells held and failed", "API rate (RPS)", "event rate (EPS)")
	var all []float64
	var xs []float64
	for _, pts := range []plotter.XYs{pass, fail} {
		for _, pt := range pts {
			all = append(all, pt.Y)
			xs = append(xs, pt.X)
		}
	}
	if len(s.Frontier) > 0 {
		var fr plotter.XYs
		for _, k := range sortedNumericKeys(s.Frontier) {
			var x float64
			fmt.Sscan(k, &x)
			fr = append(fr, plotter.XY{X: x, Y: float64(s.Frontier[k])})
		}
		if err := lineOf(p, "frontier (highest event rate held per API rate)", 2, fr, true); err != nil {
			return nil, err
		}
	}
	if err := scatterOf(p, "held", pass, color.RGBA{G: 140, A: 255}, draw.CircleGlyph{}); err != nil {
		return nil, err
	}
	if err := scatterOf(p, "failed", fail, color.RGBA{R: 200, A: 255}, draw.CrossGlyph{}); err != nil {
		return nil, err
	}
	padRange(&p.X, 0, maxOf(xs))
	p.X.Min = 0
	p.Y.Min, p.Y.Max = 0, maxOf(all)*1.35
	src := r.src(s.Name, "result.json")
	if len(s.Frontier) > 0 {
		src += ", " + r.src(s.Name, "frontier.json")
	}
	return r.chart(p, "frontier_"+s.Name+".svg", p.Title.Text, src)
}

func scatterOf(p *plot.Plot, name string, pts plotter.XYs, c color.Color, g draw.GlyphDrawer) error {
	if len(pts) == 0 {
		return nil
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	sc.Color, sc.Shape, sc.Radius = c, g, vg.Points(4)
	p.Add(sc)
	p.Legend.Add(name, sc)
	return nil
}

// memoryChart is each container's peak memory per level against the offered load (scenarios 1
// and 2), on a log axis when the levels span more than a decade.
func (r *Results) memoryChart(s *Scenario) (*Chart, error) {
	containers := levelContainers(s.Result.Levels)
	if len(containers) == 0 {
		return nil, nil
	}
	p := newPlot(s.Name+": peak memory per container vs offered load", "offered load ("+unitOf(s)+")", "peak memory (MiB)")
	var xs, ys []float64
	for i, c := range containers {
		var pts plotter.XYs
		for j := range s.Result.Levels {
			l := &s.Result.Levels[j]
			sd := primarySide(l)
			row, ok := l.Resources[c]
			if sd == nil || !ok || sd.TargetRate <= 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: sd.TargetRate, Y: row.MemMaxMiB})
			xs, ys = append(xs, sd.TargetRate), append(ys, row.MemMaxMiB)
		}
		sortXY(pts)
		if len(pts) == 0 {
			continue
		}
		ln, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		ln.Color, sc.Color, sc.Shape = plotutil.Color(i), plotutil.Color(i), plotutil.Shape(i)
		p.Add(ln, sc)
		p.Legend.Add(c, ln, sc)
	}
	if len(xs) == 0 {
		return nil, nil
	}
	logX(p, xs)
	p.Y.Min, p.Y.Max = 0, maxOf(ys)*1.35
	c, err := r.chart(p, "memory_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json"))
	if c != nil {
		c.Note = "Memory limits (not drawn, they would flatten the lines): see the container table in the header."
	}
	return c, err
}

// dbConnectionsChart is db_samples.json: connections by state over the level, and the pools.
func (r *Results) dbConnectionsChart(s *Scenario) (*Chart, error) {
	if len(s.DBSamples) == 0 {
		return nil, nil
	}
	t0 := s.DBSamples[0].Time
	var act, idle, tx plotter.XYs
	for _, x := range s.DBSamples {
		sec := x.Time.Sub(t0).Seconds()
		act = append(act, plotter.XY{X: sec, Y: float64(x.Active)})
		idle = append(idle, plotter.XY{X: sec, Y: float64(x.Idle)})
		tx = append(tx, plotter.XY{X: sec, Y: float64(x.IdleInTx)})
	}
	p := newPlot(fmt.Sprintf("%s at %s: PostgreSQL connections over time", s.Name, s.SamplesLvl), "time since the first sample (s)", "connections")
	for i, se := range []struct {
		name string
		pts  plotter.XYs
	}{{"active", act}, {"idle", idle}, {"idle in transaction", tx}} {
		if err := lineOf(p, se.name, i, se.pts, false); err != nil {
			return nil, err
		}
	}
	top := maxOf(append(append(ysOf(act), ysOf(idle)...), ysOf(tx)...))
	if _, _, total := poolSize(s); total > 0 {
		end := act[len(act)-1].X
		if err := lineOf(p, fmt.Sprintf("DB_MAX_OPEN_CONNS, both programs (%d)", total), 4, plotter.XYs{{X: 0, Y: float64(total)}, {X: end, Y: float64(total)}}, true); err != nil {
			return nil, err
		}
		top = math.Max(top, float64(total))
	}
	p.Y.Min, p.Y.Max = 0, top*1.35
	return r.chart(p, "db_connections_"+s.Name+".svg", p.Title.Text, r.src(s.Name, s.SamplesLvl, "db_samples.json")+", "+r.src(s.Name, "manifest.json"))
}

// sweepChart is one tuning parameter: each value's maximum, and what each achieved at the highest
// level every value ran (held or not).
func (r *Results) sweepChart(param string) (*Chart, error) {
	t := r.Tuning
	rows := t.paramRows(param)
	if len(rows) == 0 {
		return nil, nil
	}
	var cats []string
	names := []string{"max sustainable RPS", "max sustainable EPS"}
	vals := [][]float64{{}, {}}
	for _, row := range rows {
		cats = append(cats, row.Value)
		vals[0] = append(vals[0], float64(row.MaxRPS))
		vals[1] = append(vals[1], float64(row.MaxEPS))
	}
	lvl, achAPI, achEv := t.commonRun(rows)
	if lvl != "" {
		if len(achAPI) == len(rows) {
			names, vals = append(names, "API achieved /s at "+lvl), append(vals, achAPI)
		}
		if len(achEv) == len(rows) {
			names, vals = append(names, "events achieved /s at "+lvl), append(vals, achEv)
		}
	}
	p := newPlot("tuning sweep: "+param, param, "per second")
	if err := groupedBars(p, cats, names, vals); err != nil {
		return nil, err
	}
	p.Y.Max = math.Max(1, maxOf(flatten(vals))) * 1.35
	return r.chart(p, "sweep_"+param+".svg", p.Title.Text, r.src("tuning", "result.json")+" (or tuning/<PARAM>-<value>/result.json)")
}

// commonRun is the highest level every row's run ran (held or not) and what each achieved there.
func (t *Tuning) commonRun(rows []runresult.TuningRow) (string, []float64, []float64) {
	count := map[string]int{}
	var order []string
	for _, row := range rows {
		s := t.setting(row)
		if s == nil {
			return "", nil, nil
		}
		seen := map[string]bool{}
		for _, l := range s.Result.Levels {
			if !seen[l.Level] {
				seen[l.Level] = true
				count[l.Level]++
				if count[l.Level] == 1 {
					order = append(order, l.Level)
				}
			}
		}
	}
	common := ""
	for _, l := range order {
		if count[l] == len(rows) {
			common = l
		}
	}
	if common == "" {
		return "", nil, nil
	}
	var api, ev []float64
	for _, row := range rows {
		for _, l := range t.setting(row).Result.Levels {
			if l.Level == common {
				if l.API != nil {
					api = append(api, l.API.AchievedRate)
				}
				if l.Events != nil {
					ev = append(ev, l.Events.AchievedRate)
				}
				break
			}
		}
	}
	return common, api, ev
}

func ysOf(pts plotter.XYs) []float64 {
	out := make([]float64, len(pts))
	for i, p := range pts {
		out[i] = p.Y
	}
	return out
}

func sortXY(pts plotter.XYs) {
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
}

// logX switches the x axis to a log scale when the load levels span more than a decade, so the
// low levels are not crowded together.
func logX(p *plot.Plot, xs []float64) {
	lo, hi := minOf(xs), maxOf(xs)
	if lo > 0 && hi/lo > 10 {
		setLog(&p.X, lo/1.3, hi*1.3)
		return
	}
	padRange(&p.X, lo, hi)
}

// setLog puts an axis on a log scale from lo to hi and says so in its label.
func setLog(a *plot.Axis, lo, hi float64) {
	a.Scale, a.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	a.Min, a.Max = lo, hi
	a.Label.Text += " (log scale)"
}
