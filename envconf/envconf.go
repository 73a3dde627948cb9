// Package envconf reads typed settings from environment variables with documented defaults.
// Every accessor returns an error naming the variable when a value is present but malformed,
// so a typo fails start-up instead of silently running with a default.
package envconf

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Reader collects the first parse error so callers can read many settings and check once.
type Reader struct {
	lookup func(string) (string, bool)
	errs   []string
}

// New reads from the process environment.
func New() *Reader { return &Reader{lookup: os.LookupEnv} }

// FromMap reads from a map (tests).
func FromMap(m map[string]string) *Reader {
	return &Reader{lookup: func(k string) (string, bool) { v, ok := m[k]; return v, ok }}
}

func (r *Reader) raw(key string) (string, bool) {
	v, ok := r.lookup(key)
	if !ok {
		return "", false
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}

func (r *Reader) fail(key, val, want string) {
	r.errs = append(r.errs, fmt.Sprintf("%s=%q: want %s", key, val, want))
}

// String returns the value or def when unset or empty.
func (r *Reader) String(key, def string) string {
	if v, ok := r.raw(key); ok {
		return v
	}
	return def
}

// Int returns an integer within [min, max].
func (r *Reader) Int(key string, def, min, max int) int {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.fail(key, v, fmt.Sprintf("an integer in [%d, %d]", min, max))
		return def
	}
	return n
}

// Float returns a float within [min, max].
func (r *Reader) Float(key string, def, min, max float64) float64 {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < min || f > max {
		r.fail(key, v, fmt.Sprintf("a number in [%g, %g]", min, max))
		return def
	}
	return f
}

// Bool accepts the forms strconv.ParseBool does.
func (r *Reader) Bool(key string, def bool) bool {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, v, "true or false")
		return def
	}
	return b
}

// Duration accepts Go durations ("1s", "250ms"); zero and negative values are refused unless min allows them.
func (r *Reader) Duration(key string, def, min time.Duration) time.Duration {
	v, ok := r.raw(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min {
		r.fail(key, v, fmt.Sprintf("a duration like 1s or 250ms, at least %s", min))
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
