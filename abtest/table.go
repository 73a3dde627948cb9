package abtest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the report for a person: the sides, the rule, one row per metric, the
// suite's verdicts, and the outcome.
func (r Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "A = base %s\nB = head %s\n", describe(r.Base), describe(r.Head))
	order := make([]string, len(r.Runs))
	for i, run := range r.Runs {
		order[i] = run.Label
	}
	fmt.Fprintf(&b, "%d pairs, run order %s\n", r.Pairs, strings.Join(order, " "))
	s := r.Settings
	fmt.Fprintf(&b, "regression when one-sided exact Mann-Whitney p ≤ %g and median B/A > %.2f and B−A > %g ms (latency) / %g ms (CPU per unit)\n\n",
		s.Alpha, 1+s.MinEffect, s.LatencyFloorMs, s.CPUFloorMs)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tlevel\tmetric\tA runs\tB runs\tmedian A\tmedian B\tB/A\tp\tdecision")
	for _, m := range r.Metrics {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.3g\t%s\n", m.Scenario, m.Level, m.Metric,
			nums(m.A), nums(m.B), num(m.MedianA), num(m.MedianB), m.Ratio, m.P, strings.ToUpper(m.Decision))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	for _, v := range r.Verdicts {
		fmt.Fprintf(&b, "verdicts %s %s: A %s | B %s\n", v.Scenario, v.Level, strings.Join(v.A, " "), strings.Join(v.B, " "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if r.Regression {
		b.WriteString("\nREGRESSION:\n")
		for _, why := range r.Reasons {
			fmt.Fprintf(&b, "  %s\n", why)
		}
	} else {
		b.WriteString("\nno regression\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describe(v Revision) string {
	s := v.Rev
	if v.SHA != "" && v.SHA != v.Rev {
		s += " (" + short(v.SHA) + ")"
	}
	if v.Dirty {
		s += " with uncommitted changes"
	}
	return s
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func nums(vs []float64) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = num(v)
	}
	return strings.Join(out, " ")
}
