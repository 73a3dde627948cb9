# Every target that needs containers first makes sure a Docker engine answers (installing and
# starting one when root on Debian) and that the local images exist (cached by content hash).
SHELL := /bin/bash
export TESTCONTAINERS_RYUK_DISABLED := true
export TESTCONTAINERS_HOST_OVERRIDE := 127.0.0.1
GO ?= go
# One build configuration for the host and the images' static binaries (containers/gobuild.go holds
# it; its test checks these exports agree): otherwise the standard library and every shared dependency compile
# twice. Measured from an empty build cache on this 2-core host (one run each): perfstack, both
# programs, the generator and the perf test binary took 211 s with the host defaults, 150 s matched.
# race sets CGO_ENABLED=1 (the race detector needs cgo).
export CGO_ENABLED ?= 0
export GOFLAGS ?= -trimpath
PERF_PROFILE ?= smoke

.PHONY: all docker images test unit race perf-smoke perf-instrument perf-compare perf-nightly perf vet fmt-check staticcheck static lint clean fixtures report baseline bench k6-check actionlint

all: test

docker:
	@bash scripts/ensure-docker.sh

images: docker
	$(GO) run ./cmd/perfstack images

## test: unit and integration tests (integration tests start PostgreSQL/Redis containers)
# -p 1: one package at a time, so the load generator's timing tests do not share the 2 cores with
# another package's containers.
test: images
	$(GO) test -p 1 -count=1 -timeout 30m ./...

## unit: tests that need no Docker engine: every test that needs containers skips under -short and
# says so; the suite's decision logic (suite/) and the report run here.
unit:
	$(GO) test -count=1 -short ./...

## race: the race detector on the concurrent code: the service's pipelines (group commit, buffer,
# de-duplication batcher, claims) with their PostgreSQL/Redis integration tests, and the load
# generator and suite logic at -short (the generator's rate tests are measurements, not run under -race).
RACE_PKGS_DOCKER ?= ./service/...
RACE_PKGS_SHORT ?= ./loadgen/... ./suite/... ./harness/... ./containers/...
race: images
	CGO_ENABLED=1 $(GO) test -race -p 1 -count=1 -timeout 30m $(RACE_PKGS_DOCKER)
	CGO_ENABLED=1 $(GO) test -race -short -count=1 -timeout 10m $(RACE_PKGS_SHORT)

## perf-smoke: the main job: the six scenarios at the per-PR level (one low level per scenario)
INSTRUMENT_TESTS := TestReferenceDouble|TestExternalTarget
perf-smoke: images
	PERF_PROFILE=smoke $(GO) test -count=1 -tags perf -timeout 60m -v -skip '$(INSTRUMENT_TESTS)' ./perf

## perf-instrument: the suite's tests of itself in containers: the reference double (in the stack,
# external, a double that drops acknowledged events) and a target reached by address only
perf-instrument: images
	PERF_PROFILE=smoke $(GO) test -count=1 -tags perf -timeout 60m -v -run '$(INSTRUMENT_TESTS)' ./perf

## perf-compare: A/B of the working tree (B, head) against BASE (A) on this machine, the per-PR gate
# that works on any runner: both revisions' program images (BASE's built in a temporary git worktree),
# the smoke scenarios AB_SCENARIOS run interleaved A B A B … PAIRS times, and per metric a one-sided
# exact Mann-Whitney U test (alpha 0.05) with a 10% minimum effect (docs/AB_COMPARE.md). Exit 1 on a
# regression. 3 pairs is the fewest that can reach alpha 0.05 (1/20).
BASE ?= origin/main
PAIRS ?= 3
AB_SCENARIOS ?= 1,2
perf-compare: images
	$(GO) run ./cmd/perfcompare -base '$(BASE)' -pairs $(PAIRS) -scenarios $(AB_SCENARIOS) $(if $(AB_OUT),-out '$(AB_OUT)')

## perf-nightly: every level, about two minutes each
perf-nightly: images
	PERF_PROFILE=nightly $(GO) test -count=1 -tags perf -timeout 600m -v ./perf

## perf: the suite at PERF_PROFILE (smoke|nightly|full), e.g. make perf PERF_PROFILE=full RUN=Scenario2
perf: images
	PERF_PROFILE=$(PERF_PROFILE) $(GO) test -count=1 -tags perf -timeout 1200m -v ./perf $(if $(RUN),-run $(RUN))

vet:
	$(GO) vet ./...
	$(GO) vet -tags perf ./...

## fmt-check: fail when a file is not gofmt-formatted
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
## staticcheck: honnef.co/go/tools on every package, the perf scenarios included
staticcheck:
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags perf ./perf/...

## static: formatting, vet, staticcheck
static: fmt-check vet staticcheck

## k6-check: syntax-check the k6 scripts and run them against stub k6 modules (k6 itself is not run here)
k6-check:
	bash scripts/check-k6.sh

## actionlint: lint the GitHub Actions workflows
actionlint:
	bash scripts/actionlint.sh

lint: static k6-check actionlint

bench: images
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./...

fixtures:
	$(GO) run ./cmd/fixturegen

report:
	$(GO) run ./cmd/perfreport -results $(or $(RESULTS),$$(dirname $$(dirname $$(ls -t perf/results/*/*/result.json | head -1))))

## baseline: perf/testdata/baseline.json from a results run (RESULTS=perf/results/<run-id>), for the run's profile
baseline:
	@test -n "$(RESULTS)" || { echo "make baseline: set RESULTS=perf/results/<run-id>" >&2; exit 2; }
	$(GO) run ./cmd/perfbaseline -results $(RESULTS)

clean: docker
	$(GO) run ./cmd/perfstack clean
