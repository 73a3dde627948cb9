// Package envconf reads typed settings from environment variables with documented defaults.
// Every accessor returns an error naming the variable when a value is present but malformed,
// so a typo fails start-up instead of silently running with a default.
package envconf

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reader collects every parse error so callers can read many settings and check once.
type Reader struct {
	lookup func(string) (string, bool)
	names  func() []string
	errs   []string
}

// New reads from the process environment.
func New() *Reader {
	return &Reader{lookup: os.LookupEnv, names: func() []string {
		var out []string
		for _, kv := range os.Environ() {
			k, _, _ := strings.Cut(kv, "=")
			out = append(out, k)
		}
		return out
	}}
}

// FromMap reads from a map (tests).
func FromMap(m map[string]string) *Reader {
	return &Reader{
		lookup: func(k string) (string, bool) { v, ok := m[k]; return v, ok },
		names:  func() []string { return slices.Collect(maps.Keys(m)) },
	}
}

// Names lists the variables the reader's source holds, sorted: for callers that refuse names
// they do not know (a misspelt setting would otherwise run with its default).
func (r *Reader) Names() []string {
	out := r.names()
	slices.Sort(out)
	return out
}

// Lookup returns a variable's trimmed value and whether it is set and not empty, for callers
// parsing a type of their own (they report a bad value with Invalid).
func (r *Reader) Lookup(key string) (string, bool) {
	v, ok := r.lookup(key)
	if !ok {
		return "", false
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

// Invalid records that key's value val is malformed; want says what is accepted.
func (r *Reader) Invalid(key, val, want string) {
	r.errs = append(r.errs, fmt.Sprintf("%s=%q: want %s", key, val, want))
}

// Errorf records a problem that is no single variable's (two that must go together, say).
func (r *Reader) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// String returns the value or def when unset or empty.
func (r *Reader) String(key, def string) string {
	if v, ok := r.Lookup(key); ok {
		return v
	}
	return def
}

// OneOf returns the value if it is one of allowed, else def (unset) or an error (anything else).
func (r *Reader) OneOf(key, def string, allowed ...string) string {
	v, ok := r.Lookup(key)
	if !ok {
		return def
	}
	if !slices.Contains(allowed, v) {
		r.Invalid(key, v, "one of "+strings.Join(allowed, ", "))
		return def
	}
	return v
}

// Int returns an integer within [min, max].
func (r *Reader) Int(key string, def, min, max int) int {
	v, ok := r.Lookup(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.Invalid(key, v, fmt.Sprintf("an integer in [%d, %d]", min, max))
		return def
	}
	return n
}

// Ints returns a comma-separated list of integers, each within [min, max]; def when unset.
// One bad element refuses the whole list (a level ladder with a hole is not what was asked for).
func (r *Reader) Ints(key string, def []int, min, max int) []int {
	v, ok := r.Lookup(key)
	if !ok {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < min || n > max {
			r.Invalid(key, v, fmt.Sprintf("integers in [%d, %d] separated by commas", min, max))
			return def
		}
		out = append(out, n)
	}
	return out
}

// Float returns a float within [min, max].
func (r *Reader) Float(key string, def, min, max float64) float64 {
	v, ok := r.Lookup(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < min || f > max {
		r.Invalid(key, v, fmt.Sprintf("a number in [%g, %g]", min, max))
		return def
	}
	return f
}

// Bool accepts the forms strconv.ParseBool does (true, false, 1, 0, t, f, TRUE, ...); anything
// else, such as "no" or "yes", is an error rather than the default.
func (r *Reader) Bool(key string, def bool) bool {
	v, ok := r.Lookup(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.Invalid(key, v, "true or false")
		return def
	}
	return b
}

// Duration accepts Go durations ("1s", "250ms"); zero and negative values are refused unless min allows them.
func (r *Reader) Duration(key string, def, min time.Duration) time.Duration {
	v, ok := r.Lookup(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min {
		r.Invalid(key, v, fmt.Sprintf("a duration like 1s or 250ms, at least %s", min))
		return def
	}
	return d
}

// Err reports every malformed variable at once.
func (r *Reader) Err() error {
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("invalid configuration: %s", strings.Join(r.errs, "; "))
}
