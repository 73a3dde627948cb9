package harness

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// BuildManifest inspects the stack's containers (nil stack: host facts only).
func BuildManifest(ctx context.Context, s *Stack, settings map[string]string) (*runresult.Manifest, error) {
	m := &runresult.Manifest{
		Date: time.Now().UTC(), GoVersion: runtime.Version(), HostCPUs: runtime.NumCPU(),
		HostMemory: hostMemory(), Containers: map[string]runresult.ContainerManifest{}, Settings: settings,
	}
	m.GitRevision = strings.TrimSpace(run("git", "rev-parse", "HEAD"))
	m.GitDirty = strings.TrimSpace(run("git", "status", "--porcelain", "--untracked-files=no")) != ""
	m.HostKernel = strings.TrimSpace(run("uname", "-sr"))
	cli, err := containers.Docker(ctx)
	if err != nil {
		return m, err
	}
	if v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{}); err == nil {
		m.DockerVersion = v.Version
	}
	if s == nil {
		return m, nil
	}
	for role, c := range s.Containers() {
		res, err := cli.ContainerInspect(ctx, c.GetContainerID(), client.ContainerInspectOptions{})
		if err != nil {
			return m, err
		}
		ci := res.Container
		env := append([]string(nil), ci.Config.Env...)
		sort.Strings(env)
		m.Containers[role] = runresult.ContainerManifest{
			Image: ci.Config.Image, ImageID: ci.Image, Env: redact(env), Cmd: ci.Config.Cmd,
			Limits: runresult.Limits{CPUs: float64(ci.HostConfig.NanoCPUs) / 1e9, MemoryBytes: ci.HostConfig.Memory},
		}
	}
	return m, nil
}

func redact(env []string) []string {
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.Contains(k, "PASSWORD") || strings.Contains(k, "SECRET") {
			env[i] = k + "=<redacted>"
		}
	}
	return env
}

func run(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

func hostMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb int64
		if n, _ := fmt.Sscanf(sc.Text(), "MemTotal: %d kB", &kb); n == 1 {
			return kb << 10
		}
	}
	return 0
}
