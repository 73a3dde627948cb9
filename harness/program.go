package harness

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/targets"
)

// ProgramContainer is one of this project's Go programs running in a container.
type ProgramContainer struct {
	testcontainers.Container
	Role   string
	health targets.Health
	logs   *logTail
}

// programSpec describes a program to run on the stack network.
type programSpec struct {
	name       string // network alias and log prefix
	image      string
	env        map[string]string
	files      map[string][]byte // container path → content
	ports      []string
	fixedPorts bool // bind each port to a host port chosen now (survives restarts)
	health     targets.Health
	limits     runresult.Limits
	network    *testcontainers.DockerNetwork
	logf       func(string, ...any)
}

func runProgram(ctx context.Context, s programSpec) (*ProgramContainer, error) {
	tail := &logTail{max: 200}
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(s.env),
		testcontainers.WithExposedPorts(s.ports...),
		WithLimits(s.limits),
		containers.WithProjectLabels(),
		testcontainers.WithLogConsumers(tail),
		testcontainers.WithWaitStrategy(healthWait{h: s.health, timeout: 90 * time.Second}),
	}
	if s.network != nil {
		opts = append(opts, network.WithNetwork([]string{s.name}, s.network))
	}
	if s.fixedPorts {
		for _, p := range s.ports {
			opts = append(opts, containers.WithFixedHostPort(p))
		}
	}
	for path, data := range s.files {
		opts = append(opts, testcontainers.WithFiles(testcontainers.ContainerFile{
			Reader: bytes.NewReader(data), ContainerFilePath: path, FileMode: 0o644,
		}))
	}
	c, err := testcontainers.Run(ctx, s.image, opts...)
	pc := &ProgramContainer{Container: c, Role: s.name, health: s.health, logs: tail}
	if err != nil {
		msg := fmt.Sprintf("start %s (%s): %v", s.name, s.image, err)
		if l := tail.String(); l != "" {
			msg += "\nlast log lines:\n" + l
		}
		if c != nil {
			_ = c.Terminate(context.WithoutCancel(ctx))
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return pc, nil
}

// URL returns http://host:port for a container port on the host side.
func (p *ProgramContainer) URL(ctx context.Context, port string) (string, error) {
	a, err := p.Addr(ctx, port)
	if err != nil {
		return "", err
	}
	return "http://" + a, nil
}

// Addr returns host:port for a container port on the host side.
func (p *ProgramContainer) Addr(ctx context.Context, port string) (string, error) {
	host, err := p.Host(ctx)
	if err != nil {
		return "", err
	}
	mp, err := p.MappedPort(ctx, port)
	if err != nil {
		return "", fmt.Errorf("%s: port %s: %w", p.Role, port, err)
	}
	return host + ":" + mp.Port(), nil
}

// LogTail returns the last lines the program logged (for failure reports).
func (p *ProgramContainer) LogTail() string { return p.logs.String() }

// logTail keeps the last lines a container logged.
type logTail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (l *logTail) Accept(entry testcontainers.Log) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.Split(strings.TrimRight(string(entry.Content), "\n"), "\n")...)
	if over := len(l.lines) - l.max; over > 0 {
		l.lines = append(l.lines[:0], l.lines[over:]...)
	}
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
