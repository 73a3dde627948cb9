// Package dbsql holds the database analyses as one SQL file, analyze_db_performance.sql: the file
// users run by hand with psql, embedded here so the perf harness runs the same queries.
package dbsql

import (
	_ "embed"
	"fmt"
	"strings"
)

// File is analyze_db_performance.sql as written.
//
//go:embed analyze_db_performance.sql
var File string

// The named queries the harness runs.
const (
	TopStatements    = "top_statements"
	ConnectionStates = "connection_states"
	TableStats       = "table_stats"
	IndexUsage       = "index_usage"
	DatabaseTotals   = "database_totals"
)

var queries = mustParse(File)

// Query returns the named section of the file (without its comments and the final semicolon);
// it panics on a name the file does not have, which the package's test rules out for the names
// above.
func Query(name string) string {
	q, ok := queries[name]
	if !ok {
		panic("dbsql: no query named " + name)
	}
	return q
}

// Names are the file's query names, in file order.
func Names() []string { return names(File) }

func names(file string) []string {
	var out []string
	for _, line := range strings.Split(file, "\n") {
		if n, ok := strings.CutPrefix(line, "-- name: "); ok {
			out = append(out, strings.TrimSpace(n))
		}
	}
	return out
}

// parse splits the file at its "-- name: " lines; comment lines and blank lines are dropped,
// and the trailing semicolon (psql's statement end) is removed.
func parse(file string) (map[string]string, error) {
	out := map[string]string{}
	var name string
	var body []string
	flush := func() error {
		if name == "" {
			return nil
		}
		q := strings.TrimSuffix(strings.TrimSpace(strings.Join(body, "\n")), ";")
		if q == "" || strings.Contains(q, ";") {
			return fmt.Errorf("query %s: want exactly one statement", name)
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("query %s: named twice", name)
		}
		out[name] = q
		return nil
	}
	for _, line := range strings.Split(file, "\n") {
		if n, ok := strings.CutPrefix(line, "-- name: "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			name, body = strings.TrimSpace(n), nil
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		body = append(body, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

func mustParse(file string) map[string]string {
	q, err := parse(file)
	if err != nil {
		panic("dbsql: analyze_db_performance.sql: " + err.Error())
	}
	return q
}
