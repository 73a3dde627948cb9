package dbsql

import (
	"strings"
	"testing"
)

func TestTheHarnessQueriesAreInTheFile(t *testing.T) {
	for _, n := range []string{TopStatements, ConnectionStates, TableStats, IndexUsage, DatabaseTotals} {
		q := Query(n)
		if !strings.HasPrefix(q, "SELECT") || strings.Contains(q, "--") || strings.HasSuffix(q, ";") {
			t.Errorf("%s: %q", n, q)
		}
	}
	if got := len(Names()); got != len(queries) {
		t.Errorf("%d names, %d queries", got, len(queries))
	}
}

func TestParseRejectsTwoStatementsInASection(t *testing.T) {
	if _, err := parse("-- name: a\nSELECT 1;\nSELECT 2;\n"); err == nil {
		t.Error("two statements in one section accepted")
	}
	if _, err := parse("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n"); err == nil {
		t.Error("a name used twice accepted")
	}
}
