package harness

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
)

// Limits are a container's CPU and memory caps. Zero means unlimited.
type Limits struct {
	CPUs        float64 // cores, enforced as a CFS quota (NanoCPUs)
	MemoryBytes int64   // hard limit; swap is disabled by setting MemorySwap to the same value
}

func (l Limits) String() string {
	return fmt.Sprintf("%g CPU / %s", l.CPUs, FormatBytes(l.MemoryBytes))
}

// WithLimits applies CPU and memory limits through the host config, as `docker run --cpus --memory` does.
func WithLimits(l Limits) testcontainers.CustomizeRequestOption {
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

// FormatBytes renders a size in binary units.
func FormatBytes(n int64) string {
	switch {
	case n <= 0:
		return "unlimited"
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0fMiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%dB", n)
}
