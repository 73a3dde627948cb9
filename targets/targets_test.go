package targets

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func settings(authOff bool) Settings {
	return Settings{DBHost: "postgres", DBPort: "5432", DBName: "challenge", DBUser: "u", DBPassword: "p",
		DBMaxOpenConns: 50, Namespace: "test", BasePath: "/challenge", CatalogPath: "/config/challenges.json",
		RedisAddr: "redis:6379", AckMode: "durable", FlushInterval: "2ms", BufferSizeLimit: 100000,
		MockLatencyMinMs: 50, MockLatencyMaxMs: 200, AuthOff: authOff, JWTPublicKeyPath: "/config/jwt-public.pem"}
}

// Our profile must render exactly the environment the stack gave our programs before profiles existed.
func TestOursRendersTheStacksEnvironment(t *testing.T) {
	o, err := Lookup("")
	require.NoError(t, err)
	svc, err := o.Service.RenderEnv(settings(false), map[string]string{"LOG_LEVEL": "warn"})
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"DB_HOST": "postgres", "DB_PORT": "5432", "DB_NAME": "challenge", "DB_USER": "u", "DB_PASSWORD": "p",
		"DB_MAX_OPEN_CONNS": "50", "AB_NAMESPACE": "test", "CHALLENGE_CONFIG_PATH": "/config/challenges.json",
		"BASE_PATH": "/challenge", "HTTP_ADDR": ":8000", "OPS_ADDR": ":8080", "MOCK_AGS": "true",
		"MOCK_AGS_LATENCY_MIN_MS": "50", "MOCK_AGS_LATENCY_MAX_MS": "200",
		"JWT_PUBLIC_KEY_PATH": "/config/jwt-public.pem", "LOG_LEVEL": "warn",
	}, svc)
	off, err := o.Service.RenderEnv(settings(true), nil)
	require.NoError(t, err)
	require.Equal(t, "false", off["PLUGIN_GRPC_SERVER_AUTH_ENABLED"])
	require.Equal(t, "true", off["MOCK_IDENTITY"], "the service refuses auth off without asking for mock identity")
	require.NotContains(t, off, "JWT_PUBLIC_KEY_PATH")
	h, err := o.Handler.RenderEnv(settings(false), nil)
	require.NoError(t, err)
	require.Equal(t, "redis:6379", h["REDIS_ADDR"])
	require.Equal(t, "2ms", h["BUFFER_FLUSH_INTERVAL"])
	require.Equal(t, "2ms", h["COMMIT_WINDOW"], "durable mode's window has its own name")
	bs := settings(false)
	bs.AckMode, bs.FlushInterval = "buffered", "1s"
	hb, err := o.Handler.RenderEnv(bs, nil)
	require.NoError(t, err)
	require.NotContains(t, hb, "COMMIT_WINDOW", "buffered mode flushes every BUFFER_FLUSH_INTERVAL and has no commit window")
	require.Equal(t, "1s", hb["BUFFER_FLUSH_INTERVAL"])
	require.Equal(t, "100000", h["BUFFER_SIZE_LIMIT"])
	require.Empty(t, o.Has.NotMeasured())
}

func TestReferenceUsesItsOwnNames(t *testing.T) {
	r, err := Lookup(Reference)
	require.NoError(t, err)
	_, err = r.Service.RenderEnv(settings(true), nil)
	require.ErrorContains(t, err, "MIGRATIONS_PATH", "the suite cannot guess where its image keeps migrations")
	svc, err := r.Service.RenderEnv(settings(true), map[string]string{"MIGRATIONS_PATH": "file:///migrations"})
	require.NoError(t, err)
	require.Equal(t, "/config/challenges.json", svc["CHALLENGE_CONFIG_PATH"])
	require.Equal(t, "mock", svc["REWARD_CLIENT_MODE"])
	require.Equal(t, "false", svc["PLUGIN_GRPC_SERVER_AUTH_ENABLED"])
	h, err := r.Handler.RenderEnv(settings(true), nil)
	require.NoError(t, err)
	require.Equal(t, "/config/challenges.json", h["CONFIG_PATH"], "its handler reads CONFIG_PATH, not CHALLENGE_CONFIG_PATH")
	require.NotContains(t, h, "CHALLENGE_CONFIG_PATH")
	require.Equal(t, HealthGRPC, r.Handler.Health.Protocol)
	require.Equal(t, "POST /v1/challenges/initialize {}", r.UserSetup.String())
	require.Len(t, r.Has.NotMeasured(), 3, "no metrics of ours, no schema of ours, no declared event order; pprof it has")
}

func TestLookupUnknown(t *testing.T) {
	_, err := Lookup("nope")
	require.ErrorContains(t, err, "known: ours, reference")
}

func TestDefaultAssignedCatalog(t *testing.T) {
	in := []byte(`{"challenges":[{"challengeId":"c1","goals":[{"goalId":"g1","requirement":{"statCode":"wins"}},{"goalId":"g2"}]}],"x":1}`)
	out, err := CatalogDefaultAssigned.Render(in)
	require.NoError(t, err)
	var doc struct {
		Challenges []struct {
			Goals []map[string]any `json:"goals"`
		} `json:"challenges"`
		X int `json:"x"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	require.Equal(t, 1, doc.X, "unknown fields are kept")
	for _, g := range doc.Challenges[0].Goals {
		require.Equal(t, true, g["defaultAssigned"])
	}
	same, err := CatalogOurs.Render(in)
	require.NoError(t, err)
	require.Equal(t, in, same)
	_, err = CatalogDefaultAssigned.Render([]byte(`{"nope":[]}`))
	require.Error(t, err)
}

func TestParseCall(t *testing.T) {
	for in, want := range map[string]string{
		"POST /v1/challenges/initialize {}": "POST /v1/challenges/initialize {}",
		"post /v1/x {\"a\": 1}":             "POST /v1/x {\"a\": 1}",
		"true":                              "GET /v1/challenges",
		"  GET   /v1/challenges  ":          "GET /v1/challenges",
	} {
		c, err := ParseCall(in)
		require.NoError(t, err, in)
		require.Equal(t, want, c.String(), in)
	}
	for _, none := range []string{"", "none", "false"} {
		c, err := ParseCall(none)
		require.NoError(t, err)
		require.Nil(t, c)
	}
	for _, bad := range []string{"DELETE /x", "POST v1/x", "GET /x {}", "yes"} {
		_, err := ParseCall(bad)
		require.Error(t, err, bad)
	}
}

// Every profile names its smoke levels: a zero would run a scenario at no load and pass.
func TestEveryTargetHasSmokeLevels(t *testing.T) {
	for _, name := range Names() {
		tg, err := Lookup(name)
		require.NoError(t, err)
		s := tg.Smoke
		require.True(t, s.RPS > 0 && s.EPS > 0 && s.CombinedRPS > 0 && s.CombinedEPS > 0, "%s: %+v", name, s)
	}
}

// The stack reaches each program on the ports its profile names: they must be named and exposed.
func TestEveryTargetNamesThePortsTheStackUses(t *testing.T) {
	for _, name := range Names() {
		tg, err := Lookup(name)
		require.NoError(t, err)
		require.NoError(t, tg.CheckPorts(), name)
	}
	r, _ := Lookup(Reference)
	require.Equal(t, "8000/tcp", r.Service.APIPort)
	require.Equal(t, "6565/tcp", r.Handler.GRPCPort)
	require.Empty(t, r.Service.GRPCPort, "its service's gRPC is not the event API")
}

// Our programs listen where the stack looks for them: the listen addresses come from the same ports.
func TestOursListensOnItsProfilePorts(t *testing.T) {
	o, _ := Lookup(Ours)
	svc, err := o.Service.RenderEnv(settings(false), nil)
	require.NoError(t, err)
	h, err := o.Handler.RenderEnv(settings(false), nil)
	require.NoError(t, err)
	require.Equal(t, ":"+PortNumber(o.Service.APIPort), svc["HTTP_ADDR"])
	require.Equal(t, ":"+PortNumber(o.Service.OpsPort), svc["OPS_ADDR"])
	require.Equal(t, ":"+PortNumber(o.Handler.GRPCPort), h["GRPC_ADDR"])
	require.Equal(t, ":"+PortNumber(o.Handler.OpsPort), h["OPS_ADDR"])
}

func TestCheckPortsRefusesAProfileTheStackCannotReach(t *testing.T) {
	tg, _ := Lookup(Ours)
	tg.Handler.GRPCPort = ""
	require.ErrorContains(t, tg.CheckPorts(), "the handler names no GRPCPort")
	tg, _ = Lookup(Ours)
	tg.Service.APIPort = "9000/tcp"
	require.ErrorContains(t, tg.CheckPorts(), "the service uses port 9000/tcp but does not expose it")
	tg, _ = Lookup(Ours)
	tg.Handler.OpsPort = "9090/tcp"
	require.ErrorContains(t, tg.CheckPorts(), "the handler uses port 9090/tcp")
	require.ErrorContains(t, Unknown().CheckPorts(), "the service names no APIPort")
}

func TestPortNumber(t *testing.T) {
	require.Equal(t, "8000", PortNumber("8000/tcp"))
	require.Equal(t, "6565", PortNumber("6565"))
}
