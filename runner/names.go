package runner

import (
	"fmt"
	"slices"
	"strings"
)

// known is every PERF_* variable something in this repository reads, with its reader: the one
// list Unknown checks the environment against (names_test.go fails when a PERF_ name appears in
// the code, README or workflows without being here, or is here and appears nowhere).
var known = map[string]string{
	// runner (this package: Settings)
	"PERF_PROFILE": "runner", "PERF_DURATION": "runner", "PERF_REPEATS": "runner", "PERF_LEVELS": "runner",
	"PERF_BISECT": "runner", "PERF_MATRIX": "runner", "PERF_API_GET_ONLY": "runner",
	"PERF_DB_RPS": "runner", "PERF_DB_EPS": "runner", "PERF_E2E_EPS": "runner",
	"PERF_MIN_RPS": "runner", "PERF_MIN_EPS": "runner", "PERF_SEED_PROGRESS": "runner",
	"PERF_LOADGEN_CPUS": "runner", "PERF_LOADGEN_MEMORY": "runner", "PERF_RESULTS_DIR": "runner",
	"PERF_USER_SETUP": "runner", "PERF_USER_SETUP_CONCURRENCY": "runner", "PERF_API_CHECK_USERS": "runner",
	"PERF_BASELINE_FILE": "runner", "PERF_TUNING": "runner",
	// runner: an external target
	"PERF_TARGET_BASE_URL": "runner", "PERF_TARGET_GRPC_ADDR": "runner",
	"PERF_TARGET_SERVICE_OPS_URL": "runner", "PERF_TARGET_HANDLER_OPS_URL": "runner",
	"PERF_TARGET_POSTGRES_DSN": "runner", "PERF_TARGET_REDIS_ADDR": "runner", "PERF_TARGET_TOKENS_FILE": "runner",
	"PERF_TARGET_ALLOW_RESET": "runner", "PERF_TARGET_CONTAINERS": "runner",
	// runner and harness both
	"PERF_NAMESPACE": "runner, harness", "PERF_IMPL": "runner, harness",
	// harness (StackConfigFromEnv)
	"PERF_BASE_PATH":     "harness",
	"PERF_POSTGRES_CPUS": "harness", "PERF_POSTGRES_MEMORY": "harness",
	"PERF_REDIS_CPUS": "harness", "PERF_REDIS_MEMORY": "harness",
	"PERF_SERVICE_CPUS": "harness", "PERF_SERVICE_MEMORY": "harness",
	"PERF_HANDLER_CPUS": "harness", "PERF_HANDLER_MEMORY": "harness",
	"PERF_DB_MAX_OPEN_CONNS": "harness", "PERF_ACK_MODE": "harness",
	"PERF_BUFFER_FLUSH_INTERVAL": "harness", "PERF_BUFFER_SIZE_LIMIT": "harness",
	"PERF_MOCK_AGS_LATENCY_MIN_MS": "harness", "PERF_MOCK_AGS_LATENCY_MAX_MS": "harness",
	"PERF_AUTH_MODE": "harness", "PERF_SERVICE_ENV": "harness", "PERF_HANDLER_ENV": "harness",
	// containers: images (the reference double's included) and testcontainers' log
	"PERF_POSTGRES_IMAGE": "containers", "PERF_REDIS_IMAGE": "containers", "PERF_SERVICE_IMAGE": "containers",
	"PERF_HANDLER_IMAGE": "containers", "PERF_LOADGEN_IMAGE": "containers", "PERF_REFDOUBLE_IMAGE": "containers",
	"PERF_DOCKER_LOG": "containers",
	// the nightly workflow's own, in the job's environment while the suite runs
	"PERF_RUN": "workflow", "PERF_OUTCOME": "workflow",
}

// Known lists every PERF_* name something in this repository reads, sorted.
func Known() []string {
	out := make([]string, 0, len(known))
	for k := range known {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Unknown reports the PERF_* names in environ (os.Environ's "NAME=value" form, or bare names)
// that no part of the suite reads, each with the closest known name when one is within two
// edits ("did you mean"): a misspelt setting must not run a 20-minute suite with its default.
// Names are compared in upper case, so perf_levels is caught as PERF_LEVELS miswritten.
func Unknown(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if !strings.HasPrefix(upper, "PERF_") {
			continue
		}
		if _, ok := known[name]; ok {
			continue
		}
		msg := fmt.Sprintf("%s is not a setting of the suite", name)
		if s := suggest(upper); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else {
			msg += " (runner/names.go lists every PERF_ name)"
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// suggest is the known name closest to name within two edits; ties go to the alphabetically first.
func suggest(name string) string {
	best, bestD := "", 3
	for _, k := range Known() {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes: the names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
