package runresult

import (
	"fmt"
	"time"
)

// ContainerManifest is what the engine says a container ran with.
type ContainerManifest struct {
	Image   string   `json:"image"`
	ImageID string   `json:"image_id"`
	Limits  Limits   `json:"limits"`
	Env     []string `json:"env"`
	Cmd     []string `json:"cmd"`
}

// Manifest records what a run measured: images, limits as read back from the engine, env, host.
type Manifest struct {
	Date          time.Time                    `json:"date"`
	GitRevision   string                       `json:"git_revision"`
	GitDirty      bool                         `json:"git_dirty"`
	GoVersion     string                       `json:"go_version"`
	HostCPUs      int                          `json:"host_cpus"`
	HostMemory    int64                        `json:"host_memory_bytes"`
	HostKernel    string                       `json:"host_kernel"`
	DockerVersion string                       `json:"docker_version"`
	Containers    map[string]ContainerManifest `json:"containers"`
	Settings      map[string]string            `json:"settings,omitempty"`
}

// Limits are a container's CPU and memory caps. Zero means unlimited.
type Limits struct {
	CPUs        float64 // cores, enforced as a CFS quota (NanoCPUs)
	MemoryBytes int64   // hard limit; swap is disabled by setting MemorySwap to the same value
}

func (l Limits) String() string {
	return fmt.Sprintf("%g CPU / %s", l.CPUs, FormatBytes(l.MemoryBytes))
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
