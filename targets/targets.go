// Package targets describes the implementations of the challenge contract the suite can measure,
// one named profile each (PERF_IMPL): how to run it inside the suite's stack (its environment
// variable names, catalog format and path, health check protocol), the call a user needs before
// events count for them, what of it can be measured beyond the public protocols, and its known
// quirks. The suite never assumes this repository's internals of a target whose profile does not
// claim them: what a profile cannot offer is listed in the results as not measured.
package targets

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/template"
)

// Names of the built-in profiles.
const (
	Ours      = "ours"      // this repository's service/ (the default)
	Reference = "reference" // AccelByte's extend-challenge service and event handler
)

// Target is one implementation of the contract.
type Target struct {
	Name        string
	Description string
	Service     Program
	Handler     Program
	// Catalog is how the implementation wants the challenge catalog written.
	Catalog CatalogFormat
	// UserSetup is the call each user needs before their events count (nil: none).
	UserSetup *Call
	// Has says what can be measured beyond the public HTTP and gRPC protocols.
	Has Capabilities
	// Quirks are known differences from the contract the suite tolerates (stated in results).
	Quirks []string
	// RequiresAuthOff: the stack cannot issue tokens the implementation accepts.
	RequiresAuthOff bool
	// HandlerAfterService: the handler needs what the service creates at start (its migrations).
	HandlerAfterService bool
	// NeedsImages: there is no local build; PERF_SERVICE_IMAGE and PERF_HANDLER_IMAGE must name one.
	NeedsImages bool
	// Smoke is the single level each scenario runs in the smoke profile: low enough that a healthy
	// build of this implementation holds it on a 2-core machine, so a smoke failure means a broken
	// build, not a slower implementation.
	Smoke SmokeLevels
}

// SmokeLevels are the smoke profile's rates per scenario kind.
type SmokeLevels struct {
	RPS, EPS                 int // scenarios of one kind (1; 2 and 5)
	CombinedRPS, CombinedEPS int // scenarios of both (3, 4, faults)
}

// Program is how to run one of the target's programs in a container on the stack network.
type Program struct {
	// Env maps the implementation's variable names to text/template values over Settings,
	// e.g. "DB_HOST": "{{.DBHost}}". An empty rendered value leaves the variable out.
	Env map[string]string
	// CatalogPath is where the program reads the catalog inside its container ("" = not at all).
	CatalogPath string
	// Ports the container exposes: the protocol port first, then the ops port if any.
	Ports []string
	// APIPort serves the REST API the suite calls (the service's; "" for the handler).
	APIPort string
	// GRPCPort serves the event API the suite calls, OnMessage (the handler's; "" for the service,
	// even one that serves gRPC for other callers).
	GRPCPort string
	// OpsPort serves /metrics (and pprof when Has.Pprof); "" when there is none.
	OpsPort string
	Health  Health
	// Required names variables the user must supply (PERF_SERVICE_ENV / PERF_HANDLER_ENV) because
	// the suite cannot know them.
	Required []string
}

// PortNumber is a container port's number ("8000/tcp" → "8000"), for addresses on the stack network
// and listen addresses.
func PortNumber(port string) string {
	n, _, _ := strings.Cut(port, "/")
	return n
}

// CheckPorts reports a profile the stack cannot reach: the service must name its API port, the
// handler its gRPC port, and every port the suite uses (those two, ops, health) must be exposed.
func (t Target) CheckPorts() error {
	var errs []string
	if t.Service.APIPort == "" {
		errs = append(errs, "the service names no APIPort")
	}
	if t.Handler.GRPCPort == "" {
		errs = append(errs, "the handler names no GRPCPort")
	}
	for role, p := range map[string]Program{"service": t.Service, "handler": t.Handler} {
		for _, port := range []string{p.APIPort, p.GRPCPort, p.OpsPort, p.Health.Port} {
			if port != "" && !slices.Contains(p.Ports, port) {
				errs = append(errs, fmt.Sprintf("the %s uses port %s but does not expose it (Ports %v)", role, port, p.Ports))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.Strings(errs)
	return fmt.Errorf("target %s: %s", t.Name, strings.Join(errs, "; "))
}

// Health is how the suite knows a program is ready.
type Health struct {
	Protocol string // "http" (GET Path answers 200) or "grpc" (grpc.health.v1 SERVING)
	Port     string // container port, e.g. "8080/tcp"
	Path     string // for http
}

// Health protocols.
const (
	HealthHTTP = "http"
	HealthGRPC = "grpc"
)

// Capabilities beyond the contract's public protocols.
type Capabilities struct {
	// OurMetrics: the programs export this repository's Prometheus metric names (buffer_entries,
	// flush and commit histograms, claim outcomes), so flush/drain statistics can be read.
	OurMetrics bool
	// OurSchema: the database has this repository's tables, so the suite may reset it between levels
	// and check data integrity in SQL; without it ground truth is read through the public API.
	OurSchema bool
	// Pprof: the ops port serves /debug/pprof.
	Pprof bool
	// Redis: the programs use Redis (its memory is then measured).
	Redis bool
	// EventOrder: the implementation orders absolute stats by (timestamp, event id bytewise), an
	// event without a timestamp first — this repository's contract — so the generator sends order
	// probes (equal-timestamp pairs out of order, timestamp-less streams) that the integrity check
	// judges. Without it no probe is sent: a tie has no order the target promised.
	EventOrder bool
}

// NotMeasured lists, in words for results and reports, what this profile's capabilities exclude.
func (c Capabilities) NotMeasured() []string {
	var out []string
	if !c.OurMetrics {
		out = append(out, "handler buffer and flush statistics (the target exports none of this suite's metric names)")
	}
	if !c.OurSchema {
		out = append(out, "database reset between levels and SQL integrity check (the target's schema is not this repository's): ground truth is read through the API")
	}
	if !c.Pprof {
		out = append(out, "CPU/heap/mutex profiles (no pprof on the ops port)")
	}
	if !c.EventOrder {
		out = append(out, "the order of equal-timestamp and timestamp-less stat events (the target does not declare the contract's order: no order probes are sent)")
	}
	return out
}

// Settings are the values the stack supplies to a target's environment templates.
type Settings struct {
	DBHost, DBPort, DBName, DBUser, DBPassword string
	DBMaxOpenConns                             int
	Namespace, BasePath                        string
	CatalogPath                                string
	RedisAddr                                  string
	AckMode                                    string
	FlushInterval                              string
	BufferSizeLimit                            int
	MockLatencyMinMs, MockLatencyMaxMs         int
	// AuthOff: callers are named by the X-Mock-User-Id header; else JWTs checked with the key at
	// JWTPublicKeyPath.
	AuthOff          bool
	JWTPublicKeyPath string
}

// RenderEnv fills the program's environment templates; extra (the user's PERF_*_ENV) wins.
func (p Program) RenderEnv(s Settings, extra map[string]string) (map[string]string, error) {
	out := map[string]string{}
	keys := slices.Sorted(maps.Keys(p.Env))
	for _, k := range keys {
		t, err := template.New(k).Option("missingkey=error").Parse(p.Env[k])
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", k, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, s); err != nil {
			return nil, fmt.Errorf("env %s: %w", k, err)
		}
		if v := b.String(); v != "" {
			out[k] = v
		}
	}
	maps.Copy(out, extra)
	var missing []string
	for _, k := range p.Required {
		if out[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("needs %s, which the suite cannot know: set it with PERF_SERVICE_ENV or PERF_HANDLER_ENV (K=V,K=V)",
			strings.Join(missing, ", "))
	}
	return out, nil
}

var builtin = map[string]Target{Ours: ours(), Reference: reference()}

// Names lists the built-in profiles.
func Names() []string {
	n := slices.Collect(maps.Keys(builtin))
	sort.Strings(n)
	return n
}

// Lookup returns the named profile ("" = ours).
func Lookup(name string) (Target, error) {
	if name == "" {
		name = Ours
	}
	t, ok := builtin[name]
	if !ok {
		return Target{}, fmt.Errorf("PERF_IMPL=%q: unknown implementation (known: %s)", name, strings.Join(Names(), ", "))
	}
	return t, nil
}

// Unknown is the profile of an external target named by address only: nothing beyond the public
// protocols is assumed.
func Unknown() Target {
	return Target{Name: "external", Description: "an implementation reached by address only; nothing beyond the public protocols is assumed"}
}
