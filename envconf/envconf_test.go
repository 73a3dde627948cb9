package envconf

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultsAndValues(t *testing.T) {
	r := FromMap(map[string]string{"N": "7", "F": "0.5", "B": "false", "D": "250ms", "S": " x ", "EMPTY": ""})
	require.Equal(t, 7, r.Int("N", 1, 0, 10))
	require.Equal(t, 0.5, r.Float("F", 1, 0, 1))
	require.False(t, r.Bool("B", true))
	require.Equal(t, 250*time.Millisecond, r.Duration("D", time.Second, time.Millisecond))
	require.Equal(t, "x", r.String("S", "def"))
	require.Equal(t, "def", r.String("EMPTY", "def"), "empty means unset")
	require.Equal(t, 3, r.Int("MISSING", 3, 0, 10))
	require.NoError(t, r.Err())
}

func TestEveryBadValueIsReported(t *testing.T) {
	r := FromMap(map[string]string{"N": "11", "F": "abc", "B": "maybe", "D": "0s"})
	require.Equal(t, 1, r.Int("N", 1, 0, 10), "a bad value falls back to the default")
	r.Float("F", 1, 0, 1)
	r.Bool("B", true)
	r.Duration("D", time.Second, time.Millisecond)
	err := r.Err()
	require.Error(t, err)
	for _, want := range []string{`N="11"`, `F="abc"`, `B="maybe"`, `D="0s"`} {
		require.Contains(t, err.Error(), want)
	}
}
