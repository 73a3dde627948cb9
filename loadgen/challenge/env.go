package challenge

import (
	"strconv"
	"strings"
	"time"
)

// The workloads' env options (loadgen.Scenario.Env) are strings the factories parse; a program that
// writes plans sets them through these types, so a misspelt key or a malformed value cannot reach
// the generator. Each Env renders only what is set: the rest keeps the factory's default.

// The env keys each workload accepts (the factories refuse any other: CheckEnv).
const (
	envGetOnly    = "getOnly"
	envClaimRatio = "claimRatio"

	envLoginRatio  = "loginRatio"
	envStatCodes   = "statCodes"
	envValues      = "values"
	envRedeliver   = "redeliver"
	envOrderProbes = "orderProbes"

	envUser         = "user"
	envStatCode     = "statCode"
	envGoalID       = "goalId"
	envPollInterval = "pollInterval"
	envTimeout      = "timeout"
)

var (
	apiLoadEnvKeys   = []string{envGetOnly, envClaimRatio}
	eventLoadEnvKeys = []string{envLoginRatio, envStatCodes, envValues, envRedeliver, envOrderProbes}
	e2eProbeEnvKeys  = []string{envUser, envStatCode, envGoalID, envPollInterval, envTimeout}
)

// APILoadEnv is apiLoad's env.
type APILoadEnv struct {
	GetOnly    bool     // the spec's GET-only variant: no claims
	ClaimRatio *float64 // share of iterations that claim after the GET (nil: 0.2)
}

// Env renders the options as the scenario's env.
func (o APILoadEnv) Env() map[string]string {
	env := map[string]string{}
	setBool(env, envGetOnly, o.GetOnly)
	setFloat(env, envClaimRatio, o.ClaimRatio)
	return env
}

// EventLoadEnv is eventLoad's env.
type EventLoadEnv struct {
	LoginRatio *float64 // share of logins among the events (nil: 0.2)
	StatCodes  []string // the stat codes sent (nil: the plan's statCodes)
	Values     string   // ValuesMonotonic or ValuesRandom ("": the plan's eventValues)
	// Redeliver: an event refused with a code the platform's bus retries is sent again until it
	// is answered (see deliver).
	Redeliver bool
	// OrderProbes: equal-timestamp pairs out of order and timestamp-less streams, for a target
	// that orders absolute stats by (timestamp, id).
	OrderProbes bool
}

// Env renders the options as the scenario's env.
func (o EventLoadEnv) Env() map[string]string {
	env := map[string]string{}
	setFloat(env, envLoginRatio, o.LoginRatio)
	if len(o.StatCodes) > 0 {
		env[envStatCodes] = strings.Join(o.StatCodes, ",")
	}
	if o.Values != "" {
		env[envValues] = o.Values
	}
	setBool(env, envRedeliver, o.Redeliver)
	setBool(env, envOrderProbes, o.OrderProbes)
	return env
}

// E2EProbeEnv is e2eProbe's env; empty fields keep the factory's defaults.
type E2EProbeEnv struct {
	User         string        // the probe user (default: the fixture's last)
	StatCode     string        // default enemy_kills
	GoalID       string        // default: statCode's goal with the largest target
	PollInterval time.Duration // default 50ms
	Timeout      time.Duration // default 10s
}

// Env renders the options as the scenario's env.
func (o E2EProbeEnv) Env() map[string]string {
	env := map[string]string{}
	for k, v := range map[string]string{envUser: o.User, envStatCode: o.StatCode, envGoalID: o.GoalID} {
		if v != "" {
			env[k] = v
		}
	}
	if o.PollInterval > 0 {
		env[envPollInterval] = o.PollInterval.String()
	}
	if o.Timeout > 0 {
		env[envTimeout] = o.Timeout.String()
	}
	return env
}

// setBool sets key to "true" when v: false is the factories' default, and is left out.
func setBool(env map[string]string, key string, v bool) {
	if v {
		env[key] = "true"
	}
}

func setFloat(env map[string]string, key string, v *float64) {
	if v != nil {
		env[key] = strconv.FormatFloat(*v, 'g', -1, 64)
	}
}
