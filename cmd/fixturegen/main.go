// Command fixturegen regenerates the committed fixtures in perf/testdata (challenges.json,
// users.json). Tokens are not committed: the perf suite signs them per run with a fresh key.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/challenge-perf/challenge-perf/fixtures"
)

func main() {
	dir := flag.String("dir", "perf/testdata", "output directory")
	flag.Parse()
	if err := fixtures.WriteDir(*dir); err != nil {
		fmt.Fprintf(os.Stderr, "fixturegen: %v\n", err)
		os.Exit(1)
	}
}
