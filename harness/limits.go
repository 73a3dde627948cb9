package harness

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// WithLimits applies CPU and memory limits through the host config, as `docker run --cpus --memory` does.
func WithLimits(l runresult.Limits) testcontainers.CustomizeRequestOption {
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		if l.CPUs > 0 {
			hc.NanoCPUs = int64(l.CPUs * 1e9)
		}
		if l.MemoryBytes > 0 {
			hc.Memory = l.MemoryBytes
			hc.MemorySwap = l.MemoryBytes
		}
	})
}

// ParseBytes reads sizes like "512M", "4G", "1GiB" or a plain byte count.
func ParseBytes(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, strings.TrimSuffix(t, "M")
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, strings.TrimSuffix(t, "G")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("size %q: want a number with an optional K, M or G suffix", s)
	}
	return int64(f * float64(mult)), nil
}
