package report

import (
	"math"
	"strconv"
	"strings"
)

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

// plain formats a number without separators, up to dec decimals (trailing zeros dropped): the form
// PromQL and YAML read as a number ("3500", "0.5").
func plain(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if dec > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
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

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// codeSpan wraps s in backticks for a table cell.
func codeSpan(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
