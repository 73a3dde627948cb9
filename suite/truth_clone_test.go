package suite

import (
	"testing"
	"time"
)

func TestTruthCloneIsIndependent(t *testing.T) {
	at := time.Unix(100, 0)
	orig := NewTruth()
	orig.Stat("u1", "wins", 3, at)
	orig.Logins("u1", 2)
	orig.Prior("u2", []APIGoal{{GoalID: "g1"}})
	c := orig.Clone()

	// Later events on the original must not reach the clone, nor the reverse.
	orig.Stat("u1", "wins", 9, at.Add(time.Second))
	orig.Logins("u1", 5)
	orig.Prior("u2", nil)
	c.Stat("u3", "kills", 1, at)

	if v, _ := c.Value("u1", "wins"); v != 3 {
		t.Errorf("clone wins = %v, want 3", v)
	}
	if v, _ := c.Value("u1", "@login"); v != 2 {
		t.Errorf("clone logins = %v, want 2", v)
	}
	if len(c.prior["u2"]) != 1 {
		t.Errorf("clone prior of u2 = %v, want the one goal", c.prior["u2"])
	}
	if _, ok := orig.Value("u3", "kills"); ok {
		t.Error("a value recorded on the clone reached the original")
	}
	if v, _ := orig.Value("u1", "wins"); v != 9 {
		t.Errorf("original wins = %v, want 9", v)
	}
}
