package runner

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress takes the generator's log lines during a level. Its progress lines (one a second, each
// scenario's "... it/s ...") are the run's clock: the first, printed a second in, marks the
// engine's start, which a fault's offset counts from. Every fifth of them, and every other line,
// goes to the log, which keeps `go test -v` readable.
type Progress struct {
	Logf func(format string, args ...any)
	// Started is called once, at the first progress line, with the engine's start.
	Started func(at time.Time)

	once sync.Once
	n    atomic.Int64
}

// IsProgressLine reports whether a generator's log line is its per-second progress.
func IsProgressLine(line string) bool { return strings.Contains(line, " it/s ") }

// Line takes one line of the generator's log (harness.LoadSpec.Progress).
func (p *Progress) Line(line string) {
	progress := IsProgressLine(line)
	if progress {
		p.once.Do(func() { p.Started(time.Now().Add(-time.Second)) })
	}
	if !progress || p.n.Add(1)%5 == 1 {
		p.Logf("  loadgen: %s", line)
	}
}

// End marks the end of the run: neverStarted runs when no progress line came (the generator
// never ran), and no later line calls Started.
func (p *Progress) End(neverStarted func()) { p.once.Do(neverStarted) }
