package levelsearch

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNextIsARoundMidpointInside(t *testing.T) {
	for _, c := range []struct{ held, failed, want int }{
		{5000, 10000, 7500}, {7500, 10000, 8800}, {8800, 10000, 9400}, {1000, 2000, 1500}, {50, 100, 75},
	} {
		got, ok := Next(c.held, c.failed)
		assert.True(t, ok, "%d..%d", c.held, c.failed)
		assert.Equal(t, c.want, got, "%d..%d", c.held, c.failed)
	}
	_, ok := Next(9400, 10000)
	assert.False(t, ok, "6.4% apart: narrow enough")
	_, ok = Next(0, 100)
	assert.False(t, ok, "nothing held: no interval to bisect")
}

// A service whose true maximum is 8,200 EPS, found from the ladder's 5,000 (held) and 10,000
// (failed): three levels (7,500 held, 8,800 failed, 8,200 held) narrow it to 8,200..8,800, 7.3%.
func TestSearchStopsWithinToleranceOrAfterMaxExtraLevels(t *testing.T) {
	const truth = 8200
	s := Search{Held: 5000, Failed: 10000}
	var ran []int
	for {
		r, ok := s.Next()
		if !ok {
			break
		}
		ran = append(ran, r)
		s.Record(r, r <= truth)
	}
	assert.Equal(t, []int{7500, 8800, 8200}, ran)
	assert.Equal(t, 8200, s.Held)
	assert.Equal(t, 8800, s.Failed)
	assert.InDelta(t, 7.3, s.WithinPct(), 0.1)
	_, more := s.Next()
	assert.False(t, more, "within 10%")

	s = Search{Held: 1000, Failed: 1050}
	_, ok := s.Next()
	assert.False(t, ok)
}

func TestSearchRunsAtMostMaxExtraLevels(t *testing.T) {
	s := Search{Held: 100, Failed: 10000}
	n := 0
	for {
		r, ok := s.Next()
		if !ok {
			break
		}
		n++
		s.Record(r, true)
	}
	assert.Equal(t, MaxExtraLevels, n)
	assert.Greater(t, s.WithinPct(), 100*Tolerance, "still wide: reported as such")
}
