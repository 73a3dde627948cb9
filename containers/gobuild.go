package containers

import (
	"context"
	"os"
	"os/exec"
)

// StaticBuildEnv and StaticBuildFlags are the one build configuration of the binaries that go into
// the FROM scratch images (here and in perfcompare). The Makefile exports the same CGO_ENABLED and
// -trimpath for the host build, so the standard library and shared dependencies compile once
// (gobuild_test.go checks that the Makefile agrees).
var (
	StaticBuildEnv   = []string{"CGO_ENABLED=0", "GOOS=linux"}
	StaticBuildFlags = []string{"-trimpath"}
)

// StaticBuildCommand is `go build` of pkg (relative to dir) into out with the static
// configuration; extraEnv (KEY=VALUE) is appended after it.
func StaticBuildCommand(ctx context.Context, dir, pkg, out string, extraEnv ...string) *exec.Cmd {
	args := append([]string{"build"}, StaticBuildFlags...)
	// -s -w only strips the link output; it does not change what is compiled or cached.
	args = append(args, "-ldflags=-s -w", "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	env := append(os.Environ(), StaticBuildEnv...)
	cmd.Env = append(env, extraEnv...)
	return cmd
}
