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

func TestInts(t *testing.T) {
	r := FromMap(map[string]string{"L": " 50, 100 ,200", "BAD": "1,x,3", "LOW": "5,0"})
	require.Equal(t, []int{50, 100, 200}, r.Ints("L", nil, 1, 1000))
	require.Equal(t, []int{7}, r.Ints("MISSING", []int{7}, 1, 10))
	require.Nil(t, r.Ints("BAD", nil, 1, 10), "one bad element refuses the list")
	require.Nil(t, r.Ints("LOW", nil, 1, 10))
	err := r.Err()
	require.Error(t, err)
	require.Contains(t, err.Error(), `BAD="1,x,3"`)
	require.Contains(t, err.Error(), `LOW="5,0"`)
}

func TestOneOf(t *testing.T) {
	r := FromMap(map[string]string{"M": "full", "X": "fulll"})
	require.Equal(t, "full", r.OneOf("M", "frontier", "frontier", "full"))
	require.Equal(t, "frontier", r.OneOf("MISSING", "frontier", "frontier", "full"))
	require.Equal(t, "frontier", r.OneOf("X", "frontier", "frontier", "full"))
	require.ErrorContains(t, r.Err(), `X="fulll": want one of frontier, full`)
}

func TestBoolRefusesWordsParseBoolDoesNot(t *testing.T) {
	r := FromMap(map[string]string{"A": "no", "B": "yes", "C": "1", "D": "FALSE"})
	require.True(t, r.Bool("A", true), "a bad value falls back to the default")
	r.Bool("B", false)
	require.True(t, r.Bool("C", false))
	require.False(t, r.Bool("D", true))
	err := r.Err()
	require.ErrorContains(t, err, `A="no"`)
	require.ErrorContains(t, err, `B="yes"`)
	require.NotContains(t, err.Error(), `C=`)
}

func TestLookupInvalidErrorfNames(t *testing.T) {
	r := FromMap(map[string]string{"Z": "1", "A": " v ", "E": " "})
	v, ok := r.Lookup("A")
	require.True(t, ok)
	require.Equal(t, "v", v)
	_, ok = r.Lookup("E")
	require.False(t, ok, "blank means unset")
	require.Equal(t, []string{"A", "E", "Z"}, r.Names())
	require.NoError(t, r.Err())
	r.Invalid("A", v, "something else")
	r.Errorf("A and Z go together")
	require.EqualError(t, r.Err(), `invalid configuration: A="v": want something else; A and Z go together`)
}

func TestNewListsTheProcessEnvironment(t *testing.T) {
	t.Setenv("ENVCONF_TEST_NAME", "x")
	require.Contains(t, New().Names(), "ENVCONF_TEST_NAME")
}
