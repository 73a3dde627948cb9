//go:build perf

package perf

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// scrapeIf scrapes opsURL, or returns nothing when there is none (an external target).
func scrapeIf(ctx context.Context, opsURL string) (map[string]*dto.MetricFamily, error) {
	if opsURL == "" {
		return nil, nil
	}
	return harness.Scrape(ctx, opsURL)
}

// watchBuffer records the highest buffered-entry count the handler reports during a level.
func watchBuffer(ctx context.Context, opsURL string, peak *atomic.Int64) {
	if opsURL == "" {
		return
	}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		if fams, err := harness.Scrape(ctx, opsURL); err == nil {
			if v, ok := harness.MetricSum(fams, "buffer_entries", nil); ok && int64(v) > peak.Load() {
				peak.Store(int64(v))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// collectLevelProfiles profiles both programs in the middle of the level: a CPU profile over half
// the level (at most 30 s) started a quarter in, then heap, goroutine, mutex, block and allocs.
func collectLevelProfiles(ctx context.Context, e *scenarioEnv, dir string) error {
	d := e.profile.Duration
	secs := int(min(30*time.Second, d/2) / time.Second)
	if secs < 1 {
		secs = 1
	}
	select {
	case <-time.After(d / 4):
	case <-ctx.Done():
		return ctx.Err()
	}
	errs := make(chan error, 2)
	for role, url := range map[string]string{
		harness.AliasService: e.ep.ServiceMetricsURL,
		harness.AliasHandler: e.ep.HandlerMetricsURL,
	} {
		go func() {
			if url == "" { // an external target without a reachable ops port
				errs <- nil
				return
			}
			_, err := harness.CollectProfiles(ctx, url, role, filepath.Join(dir, "profiles"), secs)
			errs <- err
		}()
	}
	var first error
	for range 2 {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// topTables reads the heaviest functions of each program's CPU, allocation and mutex profiles.
func topTables(t interface{ Errorf(string, ...any) }, dir string) (cpu, alloc, mutex map[string][]runresult.TopFunc) {
	cpu, alloc, mutex = map[string][]runresult.TopFunc{}, map[string][]runresult.TopFunc{}, map[string][]runresult.TopFunc{}
	for _, role := range []string{harness.AliasService, harness.AliasHandler} {
		for _, p := range []struct {
			kind  string
			index int // sample type: cpu nanoseconds, alloc_space, mutex delay
			into  map[string][]runresult.TopFunc
		}{{"cpu", -1, cpu}, {"allocs", 1, alloc}, {"mutex", -1, mutex}} {
			rows, _, err := harness.TopFunctions(filepath.Join(dir, role+"-"+p.kind+".pprof"), p.index, 10)
			if err != nil {
				t.Errorf("%s %s profile: %v", role, p.kind, err)
				continue
			}
			p.into[role] = rows
		}
	}
	return cpu, alloc, mutex
}
