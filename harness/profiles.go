package harness

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/pprof/profile"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// ProfileKinds are the profiles collected from each program at each level.
var ProfileKinds = []string{"cpu", "heap", "goroutine", "mutex", "block", "allocs"}

// CollectProfiles downloads pprof profiles from a program's ops URL into dir as ROLE-KIND.pprof.
// The CPU profile covers cpuSeconds of the running load; the others are snapshots taken after it.
func CollectProfiles(ctx context.Context, opsURL, role, dir string, cpuSeconds int) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, kind := range ProfileKinds {
		url := opsURL + "/debug/pprof/" + kind
		if kind == "cpu" {
			url = fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", opsURL, cpuSeconds)
		}
		path := filepath.Join(dir, role+"-"+kind+".pprof")
		if err := download(ctx, url, path, time.Duration(cpuSeconds+30)*time.Second); err != nil {
			return files, fmt.Errorf("%s %s profile: %w", role, kind, err)
		}
		files = append(files, path)
	}
	return files, nil
}

func download(ctx context.Context, url, path string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s: %s", url, resp.Status, body)
	}
	return copyToFile(path, resp.Body)
}

// TopFunctions reads a profile and returns its n heaviest functions by flat value of the sample
// type at index (-1 = the last, which is cpu nanoseconds, inuse_space, contentions' delay, ...).
func TopFunctions(path string, sampleIndex, n int) ([]runresult.TopFunc, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if len(p.SampleType) == 0 {
		return nil, "", nil
	}
	if sampleIndex < 0 || sampleIndex >= len(p.SampleType) {
		sampleIndex = len(p.SampleType) - 1
	}
	unit := p.SampleType[sampleIndex].Type + "/" + p.SampleType[sampleIndex].Unit
	flat := map[string]int64{}
	cum := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[sampleIndex]
		total += v
		seen := map[string]bool{}
		for i, loc := range s.Location {
			for j, line := range loc.Line {
				if line.Function == nil {
					continue
				}
				name := line.Function.Name
				if i == 0 && j == 0 {
					flat[name] += v
				}
				if !seen[name] {
					cum[name] += v
					seen[name] = true
				}
			}
		}
	}
	rows := make([]runresult.TopFunc, 0, len(cum))
	for name, c := range cum {
		rows = append(rows, runresult.TopFunc{Function: name, Flat: flat[name], Cum: c})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Flat != rows[j].Flat {
			return rows[i].Flat > rows[j].Flat
		}
		return rows[i].Cum > rows[j].Cum
	})
	if len(rows) > n {
		rows = rows[:n]
	}
	for i := range rows {
		if total > 0 {
			rows[i].FlatPct = 100 * float64(rows[i].Flat) / float64(total)
			rows[i].CumPct = 100 * float64(rows[i].Cum) / float64(total)
		}
	}
	return rows, unit, nil
}
