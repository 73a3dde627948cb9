package events

import (
	"testing"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/contract/eventstest"
)

func fixtureCatalog(t testing.TB) *challenges.Catalog {
	t.Helper()
	cat, err := challenges.Parse(eventstest.FixtureJSON())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
