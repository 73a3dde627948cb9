package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingResultsIsOneLineAndExit1(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-results", filepath.Join(t.TempDir(), "missing"), "-out", t.TempDir()}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if lines := strings.Count(strings.TrimRight(errb.String(), "\n"), "\n"); lines != 0 || !strings.HasPrefix(errb.String(), "perfreport: ") {
		t.Errorf("stderr %q: want one line", errb.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "usage") {
		t.Errorf("no -results: exit %d, stderr %q", code, errb.String())
	}
}
