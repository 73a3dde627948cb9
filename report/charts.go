package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
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
	if s := r.Get(ScenarioE2E); s != nil {
		if err := add(r.e2eChart(s)); err != nil {
			return nil, err
		}
		if err := add(r.e2eTimelineChart(s)); err != nil {
			return nil, err
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
	for i, se := range all {
		var pts plotter.XYs
		for j := range s.Result.Levels {
			if sd := primarySide(&s.Result.Levels[j]); sd != nil {
				pts = append(pts, plotter.XY{X: sd.TargetRate, Y: se.get(sd)})
				xs, ys = append(xs, sd.TargetRate), append(ys, se.get(sd))
			}
		}
		if len(pts) == 0 {
			return nil, nil
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		l.Color, sc.Color = plotutil.Color(i), plotutil.Color(i)
		sc.Shape = plotutil.Shape(i)
		p.Add(l, sc)
		p.Legend.Add(se.name, l, sc)
	}
	padRange(&p.X, minOf(xs), maxOf(xs))
	logY(p, ys)
	return r.chart(p, "latency_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json"))
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
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Min, p.Y.Max = lo/1.5, hi*4
		p.Y.Label.Text += " (log scale)"
		return
	}
	p.Y.Min, p.Y.Max = 0, maxOf(ys)*1.35
}

func (r *Results) rateChart(s *Scenario) (*Chart, error) {
	p := newPlot(fmt.Sprintf("%s: achieved vs offered rate", s.Name), "offered ("+unitOf(s)+")", "achieved ("+unitOf(s)+")")
	var pts plotter.XYs
	hi := 0.0
	for i := range s.Result.Levels {
		if sd := primarySide(&s.Result.Levels[i]); sd != nil {
			pts = append(pts, plotter.XY{X: sd.TargetRate, Y: sd.AchievedRate})
			hi = math.Max(hi, math.Max(sd.TargetRate, sd.AchievedRate))
		}
	}
	if len(pts) == 0 {
		return nil, nil
	}
	ideal, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: hi * 1.1, Y: hi * 1.1}})
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
	p.Legend.Top = false
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, hi*1.1, 0, hi*1.1
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
		cats = append(cats, l.Level)
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
	return r.chart(p, "cpu_"+s.Name+".svg", p.Title.Text, r.src(s.Name, "result.json")+", "+r.src(s.Name, "manifest.json"))
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
		p := newPlot(s.Name+": E2E latency p95 per second", "time since start (s)", "E2E p95 (ms)")
		ln, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		ln.Color, sc.Color = plotutil.Color(1), plotutil.Color(1)
		p.Add(ln, sc)
		p.Y.Min = 0
		c, err := r.chart(p, "e2e_timeline_"+s.Name+".svg", p.Title.Text, r.src(filepath.ToSlash(rel)))
		if c != nil && skipped > 0 {
			c.Note = fmt.Sprintf("%d of %d one-second intervals had no completed probe and are not plotted.", skipped, skipped+len(pts))
		}
		return c, err
	}
	return nil, nil
}
