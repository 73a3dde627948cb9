package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/targets"
)

func load(t *testing.T, env map[string]string) Settings {
	t.Helper()
	s, err := Load(envconf.FromMap(env))
	require.NoError(t, err)
	return s
}

func TestDefaults(t *testing.T) {
	s := load(t, map[string]string{"PATH": "/bin", "PERF_LEVELS": " "})
	require.Equal(t, "smoke", s.ProfileName)
	require.Equal(t, profiles["smoke"], s.Profile())
	require.Zero(t, s.Duration)
	require.Zero(t, s.Repeats)
	require.Nil(t, s.Levels, "blank is unset")
	require.True(t, s.Bisect)
	require.Equal(t, "frontier", s.Matrix)
	require.False(t, s.APIGetOnly)
	require.True(t, s.SeedProgress)
	require.Zero(t, s.DBRPS+s.DBEPS+s.E2EEPS+s.MinRPS+s.MinEPS)
	require.Equal(t, runresult.Limits{}, s.Loadgen)
	require.Equal(t, "test", s.Namespace)
	require.True(t, strings.HasPrefix(s.ResultsDir, "results/2"), s.ResultsDir)
	require.Equal(t, 256, s.UserSetupConcurrency)
	def := &targets.Call{Method: "POST", Path: "/v1/challenges/initialize", Body: "{}"}
	require.Same(t, def, s.SetupCall(def), "without PERF_USER_SETUP the target's call")
	require.Empty(t, s.Impl)
	require.False(t, s.Target.Set())
	require.Equal(t, External{}, s.Target)
	require.Zero(t, s.APICheckUsers, "all")
	require.Empty(t, s.BaselineFile)
	require.False(t, s.Tuning)
}

func TestEachTypedValue(t *testing.T) {
	s := load(t, map[string]string{
		"PERF_PROFILE": "nightly", "PERF_DURATION": "30s", "PERF_REPEATS": "2", "PERF_LEVELS": "1000, 2000,5000",
		"PERF_BISECT": "false", "PERF_MATRIX": "full", "PERF_API_GET_ONLY": "true",
		"PERF_DB_RPS": "300", "PERF_DB_EPS": "900", "PERF_E2E_EPS": "50", "PERF_MIN_RPS": "100", "PERF_MIN_EPS": "1000",
		"PERF_SEED_PROGRESS": "0", "PERF_LOADGEN_CPUS": "1.5", "PERF_LOADGEN_MEMORY": "512M",
		"PERF_NAMESPACE": "ns", "PERF_RESULTS_DIR": "/tmp/r", "PERF_USER_SETUP": "POST /v1/challenges/initialize {}",
		"PERF_USER_SETUP_CONCURRENCY": "8", "PERF_IMPL": "reference", "PERF_API_CHECK_USERS": "250",
		"PERF_BASELINE_FILE": "b.json", "PERF_TUNING": "TRUE",
		"PERF_TARGET_BASE_URL": "http://h:8000/challenge/", "PERF_TARGET_GRPC_ADDR": "h:6565",
		"PERF_TARGET_SERVICE_OPS_URL": "http://h:8080/", "PERF_TARGET_HANDLER_OPS_URL": "http://h:8081",
		"PERF_TARGET_POSTGRES_DSN": "postgres://x", "PERF_TARGET_REDIS_ADDR": "h:6379", "PERF_TARGET_TOKENS_FILE": "t.json",
		"PERF_TARGET_ALLOW_RESET": "true", "PERF_TARGET_CONTAINERS": "service=svc, handler=hnd,postgres=pg,redis=rd",
	})
	p := s.Profile()
	require.Equal(t, "nightly", p.Name)
	require.Equal(t, 30*time.Second, p.Duration)
	require.Equal(t, 2, p.Repeats)
	require.True(t, p.Step)
	require.Equal(t, []int{1000, 2000, 5000}, s.LevelsFor(APILevels, 200))
	require.False(t, s.Bisect)
	require.Equal(t, "full", s.Matrix)
	require.True(t, s.APIGetOnly)
	require.Equal(t, []int{300, 900, 50, 100, 1000}, []int{s.DBRPS, s.DBEPS, s.E2EEPS, s.MinRPS, s.MinEPS})
	require.False(t, s.SeedProgress)
	require.Equal(t, runresult.Limits{CPUs: 1.5, MemoryBytes: 512 << 20}, s.Loadgen)
	require.Equal(t, "ns", s.Namespace)
	require.Equal(t, "/tmp/r", s.ResultsDir)
	require.Equal(t, &targets.Call{Method: "POST", Path: "/v1/challenges/initialize", Body: "{}"}, s.SetupCall(nil))
	require.Equal(t, 8, s.UserSetupConcurrency)
	require.Equal(t, "reference", s.Impl)
	require.Equal(t, 250, s.APICheckUsers)
	require.Equal(t, "b.json", s.BaselineFile)
	require.True(t, s.Tuning)
	require.True(t, s.Target.Set())
	require.Equal(t, External{
		BaseURL: "http://h:8000/challenge", GRPCAddr: "h:6565", ServiceOpsURL: "http://h:8080", HandlerOpsURL: "http://h:8081",
		PostgresDSN: "postgres://x", RedisAddr: "h:6379", TokensFile: "t.json", AllowReset: true,
		Containers: map[string]string{harness.AliasService: "svc", harness.AliasHandler: "hnd", harness.AliasPostgres: "pg", harness.AliasRedis: "rd"},
	}, s.Target)
}

func TestUserSetupNoneOverridesTheTargets(t *testing.T) {
	s := load(t, map[string]string{"PERF_USER_SETUP": "none"})
	require.Nil(t, s.SetupCall(&targets.Call{Method: "GET", Path: "/v1/challenges"}))
	require.Nil(t, Settings{}.WithSetupCall(nil).SetupCall(&targets.Call{}), "as PERF_USER_SETUP=none would")
}

func TestAPICheckUsersAllOrANumber(t *testing.T) {
	for v, want := range map[string]int{"all": 0, "0": 0, "40": 40} {
		require.Equal(t, want, load(t, map[string]string{"PERF_API_CHECK_USERS": v}).APICheckUsers, v)
	}
	for _, bad := range []string{"some", "-1", "ALL", "1.5"} {
		_, err := Load(envconf.FromMap(map[string]string{"PERF_API_CHECK_USERS": bad}))
		require.ErrorContains(t, err, `PERF_API_CHECK_USERS="`+bad+`": want a number of users, or all`)
	}
}

func TestLevelsForTheProfile(t *testing.T) {
	smoke := load(t, nil)
	require.Equal(t, []int{200}, smoke.LevelsFor(APILevels, 200), "smoke: the target's smoke level alone")
	nightly := load(t, map[string]string{"PERF_PROFILE": "nightly"})
	got := nightly.LevelsFor(EventLevels, 1000)
	require.Equal(t, EventLevels, got, "stepping: the whole ladder")
	got[0] = -1
	require.Equal(t, 100, EventLevels[0], "the ladder is not the caller's to change")
	require.Equal(t, profiles["full"].Duration, load(t, map[string]string{"PERF_PROFILE": "full"}).Profile().Duration)
}

// The reason for Load: one run with several mistakes reports all of them, at once.
func TestEveryBadValueAndUnknownNameInOneError(t *testing.T) {
	_, err := Load(envconf.FromMap(map[string]string{
		"PERF_LEVELS": "abc", "PERF_BISECT": "no", "PERF_LEVLES": "100", "PERF_PROFILE": "weekly",
		"PERF_DURATION": "2s", "PERF_REPEATS": "10", "PERF_MATRIX": "grid", "PERF_SEED_PROGRESS": "off",
		"PERF_LOADGEN_CPUS": "0", "PERF_LOADGEN_MEMORY": "lots", "PERF_USER_SETUP": "DELETE /x",
		"PERF_TARGET_BASE_URL": "http://h", "PERF_TARGET_CONTAINERS": "db=pg", "PERF_TARGET_ALLOW_RESET": "yes",
		"PERF_DB_RPS": "-5",
	}))
	require.Error(t, err)
	for _, want := range []string{
		`PERF_LEVELS="abc": want integers in [1, 10000000] separated by commas`,
		`PERF_BISECT="no": want true or false`,
		`PERF_LEVLES is not a setting of the suite (did you mean PERF_LEVELS?)`,
		`PERF_PROFILE="weekly": want one of smoke, nightly, full`,
		`PERF_DURATION="2s"`, `PERF_REPEATS="10"`, `PERF_MATRIX="grid"`, `PERF_SEED_PROGRESS="off"`,
		`PERF_LOADGEN_CPUS="0"`, `PERF_LOADGEN_MEMORY="lots"`, `PERF_USER_SETUP="DELETE /x"`,
		`PERF_TARGET_BASE_URL and PERF_TARGET_GRPC_ADDR go together`, `PERF_TARGET_CONTAINERS: "db=pg"`,
		`PERF_TARGET_ALLOW_RESET="yes"`, `PERF_DB_RPS="-5"`,
	} {
		require.Contains(t, err.Error(), want)
	}
}

func TestLevelsAbcAndBisectNoAlone(t *testing.T) {
	_, err := Load(envconf.FromMap(map[string]string{"PERF_LEVELS": "abc", "PERF_BISECT": "no"}))
	require.EqualError(t, err, `invalid configuration: PERF_LEVELS="abc": want integers in [1, 10000000] separated by commas; PERF_BISECT="no": want true or false`)
}

func TestFromEnvReadsTheProcessEnvironment(t *testing.T) {
	t.Setenv("PERF_E2E_EPS", "77")
	t.Setenv("PERF_TYPO_SETTING", "1")
	s, err := FromEnv()
	require.ErrorContains(t, err, "PERF_TYPO_SETTING is not a setting of the suite")
	require.Equal(t, 77, s.E2EEPS)
}
