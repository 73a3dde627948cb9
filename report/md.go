package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// doc accumulates a markdown document.
type doc struct{ b strings.Builder }

func (d *doc) p(format string, args ...any) {
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteString("\n\n")
}

func (d *doc) line(format string, args ...any) {
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteString("\n")
}

func (d *doc) h(level int, title string) {
	d.b.WriteString(strings.Repeat("#", level) + " " + title + "\n\n")
}

func (d *doc) bullets(items ...string) {
	for _, it := range items {
		d.b.WriteString("- " + it + "\n")
	}
	d.b.WriteString("\n")
}

func (d *doc) code(lang, body string) {
	d.b.WriteString("```" + lang + "\n" + strings.TrimRight(body, "\n") + "\n```\n\n")
}

// source writes the "Source:" line that follows every table.
func (d *doc) source(files ...string) {
	d.p("<sub>Source: %s</sub>", strings.Join(files, ", "))
}

func (d *doc) table(t *table) {
	if len(t.rows) == 0 {
		return
	}
	d.b.WriteString(t.String())
	d.b.WriteString("\n")
}

func (d *doc) String() string { return strings.TrimRight(d.b.String(), "\n") + "\n" }

// table is a markdown table.
type table struct {
	head []string
	rows [][]string
}

func newTable(head ...string) *table { return &table{head: head} }

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) String() string {
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	row(t.head)
	sep := make([]string, len(t.head))
	for i := range sep {
		sep[i] = "---"
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range t.rows {
		row(r)
	}
	return b.String()
}

// ms formats a latency in milliseconds with precision that suits its size.
func ms(v float64) string {
	switch {
	case v >= 100:
		return num(v, 0) + " ms"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
}

// secs formats a duration given in seconds (milliseconds below one second).
func secs(v float64) string {
	if v < 1 {
		return ms(v * 1000)
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + " s"
}

// pct formats a percentage value (already ×100).
func pct(v float64) string {
	if v != 0 && math.Abs(v) < 0.1 {
		return strconv.FormatFloat(v, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "%"
}

// ratePct formats a 0..1 ratio as a percentage.
func ratePct(v float64) string { return pct(100 * v) }

// num formats a number with thousands separators and up to dec decimals (trailing zeros dropped).
func num(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if dec > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func inum(v int64) string { return num(float64(v), 0) }

// mib formats mebibytes.
func mib(v float64) string { return num(v, 1) + " MiB" }

// bytesIEC formats a byte count.
func bytesIEC(b int64) string {
	switch {
	case b >= 1<<30:
		return num(float64(b)/(1<<30), 1) + " GiB"
	case b >= 1<<20:
		return num(float64(b)/(1<<20), 1) + " MiB"
	case b >= 1<<10:
		return num(float64(b)/(1<<10), 1) + " KiB"
	}
	return inum(b) + " B"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// shorten cuts a long string (SQL, function names) for a table cell.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// codeSpan wraps s in backticks for a table cell.
func codeSpan(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
