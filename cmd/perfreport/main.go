// Command perfreport turns a perf results run (perf/results/<run-id>) into the three M2
// documents, PERFORMANCE_BASELINE.md, CAPACITY_PLANNING.md and PERFORMANCE_TUNING.md, with SVG
// charts in <out>/charts. Every number comes from the result files; the output is deterministic.
//
//	go run ./cmd/perfreport -results perf/results/<run-id> [-out docs] [-headroom 0.7] [-price-per-vcpu-hour X -price-source S]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/challenge-perf/challenge-perf/report"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("perfreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "", "results run directory (perf/results/<run-id>)")
	out := fs.String("out", "docs", "output directory for the documents and charts/")
	headroom := fs.Float64("headroom", 0.7, "fraction of the measured maximum an instance is planned at")
	price := fs.Float64("price-per-vcpu-hour", report.DefaultPricePerVCPUHour, "price per vCPU-hour for the cost projection (0 = formula only); the default is "+report.DefaultPriceSource)
	priceSource := fs.String("price-source", "", "where -price-per-vcpu-hour comes from, stated next to the amounts (default: the default price's source, or \"user-supplied\")")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if *results == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "perfreport: usage: perfreport -results DIR [-out docs] [-headroom 0.7] [-price-per-vcpu-hour X]")
		return 1
	}
	src := *priceSource
	if src == "" {
		src = "user-supplied"
		if *price == report.DefaultPricePerVCPUHour {
			src = report.DefaultPriceSource
		}
	}
	files, err := report.Generate(*results, *out, report.Options{Headroom: *headroom, PricePerVCPUHour: *price, PriceSource: src})
	if err != nil {
		fmt.Fprintln(stderr, "perfreport:", err)
		return 1
	}
	for _, f := range files {
		fmt.Fprintln(stdout, "wrote", f)
	}
	return 0
}
