package containers

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The host build must use the images' configuration, or every dependency compiles twice.
func TestMakefileMatchesStaticBuild(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	exports := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export (\w+) \?= (.*)$`).FindAllStringSubmatch(string(b), -1) {
		exports[m[1]] = strings.TrimSpace(m[2])
	}
	for _, kv := range StaticBuildEnv {
		k, v, _ := strings.Cut(kv, "=")
		if k == "GOOS" {
			continue // the host build targets the host; images are linux either way
		}
		if exports[k] != v {
			t.Errorf("Makefile exports %s ?= %q, the image build uses %q", k, exports[k], v)
		}
	}
	goflags := strings.Fields(exports["GOFLAGS"])
	for _, f := range StaticBuildFlags {
		if !slices.Contains(goflags, f) {
			t.Errorf("Makefile GOFLAGS %q lacks %s, which the image build passes", exports["GOFLAGS"], f)
		}
	}
}

func TestStaticBuildCommand(t *testing.T) {
	cmd := StaticBuildCommand(t.Context(), "/src", "./cmd/x", "/out/app", "GOFLAGS=-buildvcs=false")
	want := []string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/out/app", "./cmd/x"}
	if !slices.Equal(cmd.Args, want) {
		t.Errorf("args %q, want %q", cmd.Args, want)
	}
	if cmd.Dir != "/src" {
		t.Errorf("dir %q", cmd.Dir)
	}
	for _, kv := range append(slices.Clone(StaticBuildEnv), "GOFLAGS=-buildvcs=false") {
		if !slices.Contains(cmd.Env, kv) {
			t.Errorf("env lacks %s", kv)
		}
	}
}
