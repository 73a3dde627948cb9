// Command perfstack manages the containerised stack the perf suite measures:
//
//	perfstack images [KEY...]   build the local images (all by default), cached by content hash
//	perfstack clean             remove every container and network this project left behind
//	perfstack up / down         start the stack for manual exploration / stop it
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/challenge-perf/challenge-perf/containers"
)

const usage = `usage: perfstack COMMAND
  images [KEY...]  build local images (default: all: postgres redis challenge-service event-handler loadgen)
  clean            remove containers and networks left by interrupted runs (by label)
  up               start the stack, print its endpoints as KEY=value, leave it running
  down             stop a stack started by up
`

func main() {
	containers.Setup()
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "images":
		err = images(ctx, os.Args[2:])
	case "clean":
		err = clean(ctx)
	case "up":
		err = up(ctx, os.Args[2:])
	case "down":
		err = down(ctx)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "perfstack: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "perfstack: %v\n", err)
		os.Exit(1)
	}
}

func images(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		keys = containers.AllImages
	}
	start := time.Now()
	out, err := containers.EnsureImages(ctx, keys...)
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Printf("%s=%s\n", k, out[k])
	}
	fmt.Fprintf(os.Stderr, "images ready in %.1fs\n", time.Since(start).Seconds())
	return nil
}

func clean(ctx context.Context) error {
	c, n, err := containers.Clean(ctx, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "removed %d containers and %d networks\n", c, n)
	return nil
}
