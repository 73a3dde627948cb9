package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/moby/moby/client"

	"github.com/challenge-perf/challenge-perf/containers"
)

// programs are the images each side builds from its own tree; the generator is built from the
// head's tree only and runs for both sides, so it is not part of the comparison.
var (
	sidePrograms = []string{containers.ImageService, containers.ImageHandler}
	mainPackage  = map[string]string{
		containers.ImageService: "./service/cmd/challenge-service",
		containers.ImageHandler: "./service/cmd/event-handler",
		containers.ImageLoadgen: "./cmd/loadgen",
	}
)

// imageTag is a side's explicit tag, e.g. challenge-perf/challenge-service:ab-base-0123456789ab.
// The :dev tags other runs use are left alone.
func imageTag(key, side, sha string, dirty bool) string {
	t := "challenge-perf/" + key + ":ab-" + side + "-" + sha[:12]
	if dirty {
		t += "-dirty"
	}
	return t
}

// goBuild builds a static Linux binary of pkg from the tree at dir, as the suite's images are.
func goBuild(ctx context.Context, dir, pkg, out string) error {
	cmd := containers.StaticBuildCommand(ctx, dir, pkg, out, "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, b)
	}
	return nil
}

// buildSuite compiles the perf scenarios once, so every run executes the same instrument even
// while the tree changes under it.
func buildSuite(ctx context.Context, dir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-tags", "perf", "-o", out, "./perf")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c ./perf in %s: %w\n%s", dir, err, b)
	}
	return nil
}

// buildImage wraps a binary in the tree's images/program Dockerfile (FROM scratch) as tag.
func buildImage(ctx context.Context, cli dockerClient, tree, bin, tag string) error {
	dockerfile, err := os.ReadFile(filepath.Join(tree, "images", "program", "Dockerfile"))
	if err != nil {
		return err
	}
	app, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{"Dockerfile", 0o644, dockerfile}, {"app", 0o755, app}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{
		Tags: []string{tag}, Remove: true, ForceRemove: true,
		Labels: map[string]string{containers.LabelProject: "challenge-perf"},
	})
	if err != nil {
		return fmt.Errorf("build %s: %w", tag, err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &m) == nil && m.Error != "" {
			return fmt.Errorf("build %s: %s", tag, m.Error)
		}
	}
	return sc.Err()
}

// pinned is the immutable name of a local build's current :dev image (its content-hash tag), so
// a rebuild by another process during the comparison cannot change what the runs start.
func pinned(ctx context.Context, cli dockerClient, key string) (string, error) {
	dev := containers.DevTag(key)
	img, err := cli.ImageInspect(ctx, dev)
	if err != nil {
		return "", fmt.Errorf("inspect %s: %w", dev, err)
	}
	repo := strings.TrimSuffix(dev, ":dev")
	for _, t := range img.RepoTags {
		if strings.HasPrefix(t, repo+":") && t != dev && !strings.Contains(t, ":ab-") {
			return t, nil
		}
	}
	return img.ID, nil
}

// dockerClient is the engine API the command uses.
type dockerClient = *client.Client
