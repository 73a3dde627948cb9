package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseOptionsReportsEveryBadFlagAtOnce(t *testing.T) {
	_, err := parseOptions([]string{"-pairs", "2", "-scenarios", "1,6,x", "-timeout", "0s", "-alpha", "2", "extra"}, io.Discard, time.Now())
	if err == nil {
		t.Fatal("bad flags accepted")
	}
	for _, want := range []string{"-base is required", `"6" is not one of 1-5`, `"x" is not one of`, "-timeout", "alpha 2", "unexpected arguments"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	_, err = parseOptions([]string{"-base", "HEAD", "-pairs", "2"}, io.Discard, time.Now())
	if err == nil || !strings.Contains(err.Error(), "use at least 3") {
		t.Errorf("2 pairs cannot reach alpha 0.05: want a refusal, got %v", err)
	}
}

func TestParseOptionsDefaults(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	o, err := parseOptions([]string{"-base", "origin/main", "-scenarios", "scenario2, 1,2"}, io.Discard, now)
	if err != nil {
		t.Fatal(err)
	}
	if o.head != Worktree || o.pairs != 3 || o.out != "perf/results/ab-20261204-100000" {
		t.Errorf("defaults: head %q pairs %d out %q", o.head, o.pairs, o.out)
	}
	if got := strings.Join(o.scenarios, ","); got != "scenario2,scenario1" {
		t.Errorf("scenarios %s: want each once, in the order given", got)
	}
	if got := o.runPattern(); got != "^(TestScenario2_EventLoad|TestScenario1_APILoad)$" {
		t.Errorf("run pattern %s", got)
	}
}

func TestOrderInterleaves(t *testing.T) {
	if got := strings.Join(order(3), " "); got != "A1 B1 A2 B2 A3 B3" {
		t.Errorf("order(3) = %s", got)
	}
}
