package containers

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/client"
)

// Image keys, each with an environment override so users with a registry can run official or
// other builds (e.g. PERF_POSTGRES_IMAGE=postgres:15).
const (
	ImagePostgres = "postgres"
	ImageRedis    = "redis"
	ImageService  = "challenge-service"
	ImageHandler  = "event-handler"
	ImageLoadgen  = "loadgen"
	// ImageRefDouble is a test-only double of the reference implementation (perf/refdouble),
	// built on first use; not part of AllImages.
	ImageRefDouble = "refdouble"
)

// AllImages lists every image the perf suite needs.
var AllImages = []string{ImagePostgres, ImageRedis, ImageService, ImageHandler, ImageLoadgen}

var imageEnv = map[string]string{
	ImagePostgres:  "PERF_POSTGRES_IMAGE",
	ImageRedis:     "PERF_REDIS_IMAGE",
	ImageService:   "PERF_SERVICE_IMAGE",
	ImageHandler:   "PERF_HANDLER_IMAGE",
	ImageLoadgen:   "PERF_LOADGEN_IMAGE",
	ImageRefDouble: "PERF_REFDOUBLE_IMAGE",
}

// programs maps Go program images to their main packages.
var programs = map[string]string{
	ImageService:   "./service/cmd/challenge-service",
	ImageHandler:   "./service/cmd/event-handler",
	ImageLoadgen:   "./cmd/loadgen",
	ImageRefDouble: "./perf/refdouble",
}

// DevTag is the stable name of the current local build of an image.
func DevTag(key string) string { return "challenge-perf/" + key + ":dev" }

// ImageName is the image to run for key: the env override if set, else the local dev build.
func ImageName(key string) string {
	if v := strings.TrimSpace(os.Getenv(imageEnv[key])); v != "" {
		return v
	}
	return DevTag(key)
}

// Overridden reports whether the user chose the image for key by environment.
func Overridden(key string) bool { return strings.TrimSpace(os.Getenv(imageEnv[key])) != "" }

// EnsureImages builds the requested images unless they are overridden or already built from the
// same inputs. Tags are content hashes of the inputs, so a rebuild with nothing changed costs a
// few image inspections (and, for Go programs, a cached `go build`). Safe to call from several
// processes at once: builds are serialised by a lock file.
func EnsureImages(ctx context.Context, keys ...string) (map[string]string, error) {
	out := map[string]string{}
	var todo []string
	for _, k := range keys {
		if _, ok := imageEnv[k]; !ok {
			return nil, fmt.Errorf("unknown image %q (known: %s)", k, strings.Join(AllImages, ", "))
		}
		if Overridden(k) {
			out[k] = ImageName(k)
			continue
		}
		todo = append(todo, k)
	}
	if len(todo) == 0 {
		return out, nil
	}
	cli, err := Docker(ctx)
	if err != nil {
		return nil, err
	}
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "challenge-perf-images.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	b := &builder{cli: cli, root: root}
	for _, k := range todo {
		start := time.Now()
		tag, built, err := b.ensure(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", k, err)
		}
		if built {
			logf("images: built %s as %s in %.1fs", DevTag(k), tag, time.Since(start).Seconds())
		}
		out[k] = DevTag(k)
	}
	return out, nil
}

type builder struct {
	cli  *client.Client
	root string
}

func (b *builder) ensure(ctx context.Context, key string) (tag string, built bool, err error) {
	switch key {
	case ImagePostgres, ImageRedis:
		dbbase, built, err := b.dbBase(ctx)
		if err != nil {
			return "", false, err
		}
		dir := filepath.Join(b.root, "images", key)
		tag, err := b.hashTag(key, dir, dbbase)
		if err != nil {
			return "", false, err
		}
		built2, err := b.build(ctx, tag, dir, map[string]string{"DBBASE": dbbase}, nil)
		return tag, built || built2, err
	default:
		return b.program(ctx, key)
	}
}

// base is the debootstrap root filesystem, imported without any registry.
func (b *builder) base(ctx context.Context) (string, bool, error) {
	script := filepath.Join(b.root, "images", "base", "build-rootfs.sh")
	tag, err := b.hashTag("debian-base", filepath.Dir(script), "")
	if err != nil {
		return "", false, err
	}
	if b.exists(ctx, tag) {
		return tag, false, nil
	}
	logf("images: building the Debian base %s (debootstrap, about 1-2 minutes)", tag)
	cmd := exec.CommandContext(ctx, "bash", script, tag)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", false, fmt.Errorf("debootstrap base: %w", err)
	}
	return tag, true, nil
}

func (b *builder) dbBase(ctx context.Context) (string, bool, error) {
	base, built, err := b.base(ctx)
	if err != nil {
		return "", false, err
	}
	dir := filepath.Join(b.root, "images", "dbbase")
	tag, err := b.hashTag("dbbase", dir, base)
	if err != nil {
		return "", false, err
	}
	if !b.exists(ctx, tag) {
		logf("images: installing postgresql-15 and redis-server into %s (about a minute)", tag)
	}
	built2, err := b.build(ctx, tag, dir, map[string]string{"BASE": base}, nil)
	return tag, built || built2, err
}

// program builds a static binary and wraps it in a FROM scratch image tagged by the binary's hash.
func (b *builder) program(ctx context.Context, key string) (string, bool, error) {
	tmp, err := os.MkdirTemp("", "challenge-perf-build-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "app")
	cmd := StaticBuildCommand(ctx, b.root, programs[key], bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", false, fmt.Errorf("go build %s: %w\n%s", programs[key], err, out)
	}
	dir := filepath.Join(b.root, "images", "program")
	h := sha256.New()
	if err := hashFiles(h, dir); err != nil {
		return "", false, err
	}
	f, err := os.Open(bin)
	if err != nil {
		return "", false, err
	}
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return "", false, err
	}
	tag := "challenge-perf/" + key + ":" + hex.EncodeToString(h.Sum(nil))[:16]
	built, err := b.build(ctx, tag, dir, nil, map[string]string{"app": bin})
	return tag, built, err
}

func (b *builder) hashTag(name, dir, parent string) (string, error) {
	h := sha256.New()
	io.WriteString(h, parent+"\n")
	if err := hashFiles(h, dir); err != nil {
		return "", err
	}
	return "challenge-perf/" + name + ":" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

func (b *builder) exists(ctx context.Context, ref string) bool {
	_, err := b.cli.ImageInspect(ctx, ref)
	return err == nil
}

// build runs a legacy-builder build of dir (plus extra files) as tag unless tag exists, then
// points the dev tag at it. The legacy builder is what these engines have (no buildx).
func (b *builder) build(ctx context.Context, tag, dir string, args map[string]string, extra map[string]string) (bool, error) {
	built := false
	if !b.exists(ctx, tag) {
		buf, err := tarContext(dir, extra)
		if err != nil {
			return false, err
		}
		ba := map[string]*string{}
		for k, v := range args {
			ba[k] = &v
		}
		res, err := b.cli.ImageBuild(ctx, buf, client.ImageBuildOptions{
			Tags: []string{tag}, BuildArgs: ba, Remove: true, ForceRemove: true,
			Labels: map[string]string{LabelProject: "challenge-perf"},
		})
		if err != nil {
			return false, err
		}
		err = readBuildStream(res.Body)
		res.Body.Close()
		if err != nil {
			return false, err
		}
		built = true
	}
	name := repoOf(tag)
	if _, err := b.cli.ImageTag(ctx, client.ImageTagOptions{Source: tag, Target: name + ":dev"}); err != nil {
		return built, fmt.Errorf("tag %s: %w", name+":dev", err)
	}
	return built, nil
}

func repoOf(tag string) string { return tag[:strings.LastIndex(tag, ":")] }

// readBuildStream surfaces the builder's error message and keeps the last lines for context.
func readBuildStream(r io.Reader) error {
	var tail []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		if m.Error != "" {
			return fmt.Errorf("docker build: %s\n%s", m.Error, strings.Join(tail, ""))
		}
		if m.Stream != "" {
			tail = append(tail, m.Stream)
			if len(tail) > 20 {
				tail = tail[1:]
			}
		}
	}
	return sc.Err()
}

func hashFiles(h io.Writer, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(data))
		h.Write(data)
	}
	return nil
}

func tarContext(dir string, extra map[string]string) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			files[e.Name()] = filepath.Join(dir, e.Name())
		}
	}
	for k, v := range extra {
		files[k] = v
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := os.ReadFile(files[n])
		if err != nil {
			return nil, err
		}
		mode := int64(0o644)
		if n == "app" || strings.HasSuffix(n, ".sh") {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(data))}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}

// ModuleRoot finds this module's directory from the working directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/challenge-perf/challenge-perf\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the challenge-perf module root (go.mod) above the working directory; run from inside the repository")
		}
		dir = parent
	}
}

func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
