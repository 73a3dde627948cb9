package suite

import "maps"

// Clone is an independent copy: a state restored from a snapshot starts from the truth the
// snapshot was taken with, while the original keeps recording the level that follows.
func (t *Truth) Clone() *Truth {
	c := &Truth{stats: make(map[[2]string]*statTruth, len(t.stats)), prior: make(map[string]map[string]APIGoal, len(t.prior)), Monotonic: t.Monotonic}
	for k, s := range t.stats {
		cp := *s
		cp.uncertain = append([]statEvent(nil), s.uncertain...)
		c.stats[k] = &cp
	}
	for u, goals := range t.prior {
		c.prior[u] = maps.Clone(goals)
	}
	return c
}
