package abtest

import (
	"math"
	"strings"
	"testing"
)

func TestMinPIsOneOverTheOrderings(t *testing.T) {
	for _, c := range []struct {
		n1, n2 int
		want   float64
	}{{3, 3, 1.0 / 20}, {2, 2, 1.0 / 6}, {5, 5, 1.0 / 252}, {3, 4, 1.0 / 35}, {1, 1, 0.5}} {
		if got := MinP(c.n1, c.n2); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("MinP(%d, %d) = %g, want %g", c.n1, c.n2, got, c.want)
		}
	}
	if n := RunsFor(0.05); n != 3 {
		t.Errorf("RunsFor(0.05) = %d, want 3 (1/20 = 0.05)", n)
	}
	if n := RunsFor(0.01); n != 5 {
		t.Errorf("RunsFor(0.01) = %d, want 5 (1/70 > 0.01 ≥ 1/252)", n)
	}
}

func TestValidateRefusesRunCountsThatCannotReachAlpha(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(3); err != nil {
		t.Errorf("3 runs at alpha 0.05: %v", err)
	}
	err := s.Validate(2)
	if err == nil || !strings.Contains(err.Error(), "use at least 3") {
		t.Errorf("2 runs at alpha 0.05: want a refusal naming 3, got %v", err)
	}
	bad := Settings{Alpha: 1.5, MinEffect: -1, LatencyFloorMs: -1}
	err = bad.Validate(3)
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"alpha", "min effect", "floors"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s: every bad value is reported at once", err, want)
		}
	}
}
