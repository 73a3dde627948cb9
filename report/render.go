package report

import (
	"embed"
	"regexp"
	"strings"
	"text/template"
)

// The documents' wording lives in templates/*.md.tmpl: one template per document and the
// phrases they share (phrases.md.tmpl). The Go code computes the values a template shows (the
// view types next to each document's code), the templates say what they mean.

//go:embed templates/*.md.tmpl
var templateFS embed.FS

var templates *template.Template

func init() {
	templates = template.Must(template.New("report").Funcs(funcs).ParseFS(templateFS, "templates/*.md.tmpl"))
}

// funcs are the formatting functions the templates call (md.go).
var funcs = template.FuncMap{
	"ms":         ms,
	"secs":       secs,
	"pct":        pct,
	"ratePct":    ratePct,
	"num":        num,
	"inum":       func(v any) string { return inum(toInt64(v)) },
	"mib":        mib,
	"bytesIEC":   bytesIEC,
	"yesNo":      yesNo,
	"orDash":     orDash,
	"code":       codeSpan,
	"shorten":    shorten,
	"upperFirst": upperFirst,
	"join":       strings.Join,
	"verdict":    verdictCell,
	"cell":       func(s string) string { return strings.ReplaceAll(s, "|", `\|`) },
	"row":        tableRow,
	"quote":      quote,
	"list":       func(s ...string) []string { return s },
	"render":     func(name string, data any) (string, error) { return render(name, data) },
	"div":        func(a, b float64) float64 { return a / b },
	"add":        func(a, b int) int { return a + b },
	"plain":      plain,
}

// render executes one named template to a string; templates use it where a phrase is
// transformed (upperFirst) or escaped for a table cell.
func render(name string, data any) (string, error) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

// renderDoc renders a document: blocks are separated by exactly one blank line (a template may
// leave more where a block is absent), and the document ends with one newline.
func renderDoc(name string, data any) (string, error) {
	s, err := render(name, data)
	if err != nil {
		return "", err
	}
	s = blankRuns.ReplaceAllString(strings.TrimLeft(s, "\n"), "\n\n")
	return strings.TrimRight(s, "\n") + "\n", nil
}

// tableRow is one Markdown table row of cells ("|" in a cell escaped).
func tableRow(cells []string) string {
	var b strings.Builder
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
	}
	return b.String()
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case uint64:
		return int64(x)
	case float64:
		return int64(x)
	}
	panic("inum: not a number")
}
