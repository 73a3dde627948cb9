package harness

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/challenge-perf/challenge-perf/containers"
)

// StatSample is one container's resource use at one moment, computed as `docker stats` does.
type StatSample struct {
	Time        time.Time `json:"t"`
	Role        string    `json:"role"`
	CPUPercent  float64   `json:"cpu_percent"` // 100 = one full core
	MemoryBytes uint64    `json:"memory_bytes"`
	MemoryLimit uint64    `json:"memory_limit"`
	Throttled   uint64    `json:"throttled_periods"` // CFS periods in which the quota was exhausted (cumulative)
}

// StatsSampler streams the Docker stats API for several containers (one sample a second each).
type StatsSampler struct {
	mu      sync.Mutex
	samples []StatSample
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// SampleStats starts sampling the containers (role → container id) until Stop.
func SampleStats(ctx context.Context, ids map[string]string) (*StatsSampler, error) {
	cli, err := containers.Docker(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &StatsSampler{cancel: cancel}
	for role, id := range ids {
		res, err := cli.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: true})
		if err != nil {
			cancel()
			s.wg.Wait()
			return nil, err
		}
		s.wg.Add(1)
		go s.read(ctx, role, res.Body)
	}
	return s, nil
}

func (s *StatsSampler) read(ctx context.Context, role string, body io.ReadCloser) {
	defer s.wg.Done()
	defer body.Close()
	go func() { <-ctx.Done(); body.Close() }()
	dec := json.NewDecoder(body)
	var prev *container.StatsResponse
	for {
		var st container.StatsResponse
		if err := dec.Decode(&st); err != nil {
			return
		}
		if prev != nil && !st.Read.IsZero() {
			s.mu.Lock()
			s.samples = append(s.samples, sampleOf(role, prev, &st))
			s.mu.Unlock()
		}
		prev = &st
	}
}

func sampleOf(role string, prev, cur *container.StatsResponse) StatSample {
	cpuDelta := float64(cur.CPUStats.CPUUsage.TotalUsage) - float64(prev.CPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(cur.CPUStats.SystemUsage) - float64(prev.CPUStats.SystemUsage)
	online := float64(cur.CPUStats.OnlineCPUs)
	if online == 0 {
		online = float64(len(cur.CPUStats.CPUUsage.PercpuUsage))
	}
	cpu := 0.0
	if sysDelta > 0 && cpuDelta > 0 {
		cpu = cpuDelta / sysDelta * online * 100
	}
	// Like docker stats: page cache the kernel can drop is not the program's memory.
	mem := cur.MemoryStats.Usage
	for _, k := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := cur.MemoryStats.Stats[k]; ok && v < mem {
			mem -= v
			break
		}
	}
	return StatSample{Time: cur.Read, Role: role, CPUPercent: cpu, MemoryBytes: mem,
		MemoryLimit: cur.MemoryStats.Limit, Throttled: cur.CPUStats.ThrottlingData.ThrottledPeriods}
}

// Stop ends sampling and returns every sample, ordered by time.
func (s *StatsSampler) Stop() []StatSample {
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]StatSample(nil), s.samples...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// ResourceSummary condenses a role's samples within [from, to].
type ResourceSummary struct {
	CPUAvg, CPUMax       float64 // percent of one core
	MemAvg, MemMax       uint64
	MemLimit             uint64
	Samples              int
	ThrottledPeriodsDiff uint64
}

// Summarize condenses the samples of one role within a window (zero times mean unbounded).
func Summarize(samples []StatSample, role string, from, to time.Time) (ResourceSummary, error) {
	var r ResourceSummary
	var firstThr, lastThr uint64
	var cpuSum, memSum float64
	for _, s := range samples {
		if s.Role != role || (!from.IsZero() && s.Time.Before(from)) || (!to.IsZero() && s.Time.After(to)) {
			continue
		}
		if r.Samples == 0 {
			firstThr = s.Throttled
		}
		lastThr = s.Throttled
		r.Samples++
		cpuSum += s.CPUPercent
		memSum += float64(s.MemoryBytes)
		r.CPUMax = max(r.CPUMax, s.CPUPercent)
		r.MemMax = max(r.MemMax, s.MemoryBytes)
		r.MemLimit = s.MemoryLimit
	}
	if r.Samples == 0 {
		return r, errors.New("no stats samples for " + role)
	}
	r.CPUAvg = cpuSum / float64(r.Samples)
	r.MemAvg = uint64(memSum / float64(r.Samples))
	r.ThrottledPeriodsDiff = lastThr - firstThr
	return r, nil
}
