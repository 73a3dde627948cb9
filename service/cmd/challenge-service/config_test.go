package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/envconf"
)

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envconf.FromMap(map[string]string{"JWT_PUBLIC_KEY_PATH": "/keys/pub.pem", "AGS_BASE_URL": "https://ags.example"}))
	require.NoError(t, err)
	require.Equal(t, "/challenge", c.BasePath)
	require.Equal(t, ":8000", c.HTTPAddr)
	require.Equal(t, ":8080", c.OpsAddr)
	require.Equal(t, "test", c.Namespace)
	require.Equal(t, "/config/challenges.json", c.CatalogPath)
	require.True(t, c.AuthEnabled)
	require.False(t, c.MockAGS, "the real platform unless the mock is asked for")
	require.False(t, c.MockIdentity)
	require.Equal(t, 50*time.Millisecond, c.MockLatencyMin)
	require.Equal(t, 200*time.Millisecond, c.MockLatencyMax)
	require.Equal(t, 60*time.Second, c.ClaimStaleAfter)
	require.Equal(t, 1, c.RewardAttempts, "no REWARD_IDEMPOTENT_RETRIES: a grant with no answer is not repeated")
	require.Equal(t, 10*time.Second, c.ClaimReconcile)
	require.Equal(t, "", c.OpsDebugToken)
	require.Equal(t, time.Hour, c.JWKSRefresh)
	require.Equal(t, time.Minute, c.JWKSMinRefresh)
	require.Equal(t, 50, c.DB.MaxOpenConns)

	c, err = loadConfig(envconf.FromMap(map[string]string{"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true",
		"MOCK_AGS": "true", "BASE_PATH": "/"}))
	require.NoError(t, err, "mock-header auth needs no key")
	require.Equal(t, "", c.BasePath)
}

func TestConfigErrors(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"no key":       {map[string]string{}, "none of JWT_PUBLIC_KEY_PATH, JWKS_PATH, JWKS_URL"},
		"key and URL":  {map[string]string{"JWT_PUBLIC_KEY_PATH": "a", "JWKS_URL": "https://iam/jwks"}, "only one of"},
		"bad JWKS URL": {map[string]string{"JWKS_URL": "iam/jwks"}, "JWKS_URL"},
		"no auth, real AGS": {map[string]string{"MOCK_AGS": "false", "AGS_BASE_URL": "https://ags.example"},
			"PLUGIN_GRPC_SERVER_AUTH_ENABLED=false lets any caller act as any user and is only allowed with the mock reward platform (MOCK_AGS=true)"},
		// Auth off alone must not make X-Mock-User-Id the identity: that takes its own explicit setting.
		"no auth, no mock identity": {map[string]string{"MOCK_IDENTITY": ""},
			`PLUGIN_GRPC_SERVER_AUTH_ENABLED=false needs MOCK_IDENTITY=true`},
		"mock identity with auth on": {map[string]string{"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "true", "JWT_PUBLIC_KEY_PATH": "a"},
			`MOCK_IDENTITY=true contradicts PLUGIN_GRPC_SERVER_AUTH_ENABLED=true`},
		"bad mock identity":    {map[string]string{"MOCK_IDENTITY": "yes"}, `MOCK_IDENTITY="yes"`},
		"stale below attempts": {map[string]string{"REWARD_TIMEOUT": "10s", "REWARD_ATTEMPTS": "5", "CLAIM_STALE_AFTER": "50s"}, "REWARD_ATTEMPTS"},
		"two keys":             {map[string]string{"JWT_PUBLIC_KEY_PATH": "a", "JWKS_PATH": "b"}, "only one of"},
		"bad bool":             {map[string]string{"MOCK_AGS": "yes please"}, "MOCK_AGS"},
		"latency order":        {map[string]string{"MOCK_AGS_LATENCY_MIN_MS": "300"}, "exceeds MOCK_AGS_LATENCY_MAX_MS"},
		"failure rate":         {map[string]string{"MOCK_AGS_FAILURE_RATE": "1.5"}, "MOCK_AGS_FAILURE_RATE"},
		"real AGS no URL":      {map[string]string{"MOCK_AGS": "false"}, "AGS_BASE_URL"},
		"bad base path":        {map[string]string{"BASE_PATH": "challenge/"}, "BASE_PATH"},
		"bad addr":             {map[string]string{"HTTP_ADDR": "8000"}, "HTTP_ADDR"},
		"same addr":            {map[string]string{"OPS_ADDR": ":8000"}, "must differ"},
		"stale too short":      {map[string]string{"CLAIM_STALE_AFTER": "5s"}, "CLAIM_STALE_AFTER"},
		"bad duration":         {map[string]string{"CLAIM_STALE_AFTER": "30"}, "CLAIM_STALE_AFTER"},
		"bad db port":          {map[string]string{"DB_PORT": "x"}, "DB_PORT"},
		"bad log level":        {map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		"bad log format":       {map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true", "MOCK_AGS": "true"}
			if name == "no key" || name == "two keys" || name == "key and URL" || name == "bad JWKS URL" {
				env = map[string]string{"MOCK_AGS": "true"}
			}
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := loadConfig(envconf.FromMap(env))
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "invalid configuration")
		})
	}
	// The default is the real platform: without its URL the service refuses to start.
	_, err := loadConfig(envconf.FromMap(map[string]string{"JWT_PUBLIC_KEY_PATH": "a"}))
	require.ErrorContains(t, err, "MOCK_AGS=false needs AGS_BASE_URL")
	// Several problems are reported together in one message.
	_, err = loadConfig(envconf.FromMap(map[string]string{"DB_PORT": "x", "HTTP_ADDR": "nope"}))
	require.ErrorContains(t, err, "DB_PORT")
	require.ErrorContains(t, err, "HTTP_ADDR")
}

// Issue 23.7 (claims): retrying a grant whose outcome is unknown pays twice unless the platform
// honours Idempotency-Key, so retries are off unless REWARD_IDEMPOTENT_RETRIES says it does (the
// mock platform does); and a claim's worst case must fit the time its answer is given.
func TestConfigClaimRetriesAndWorstCase(t *testing.T) {
	realEnv := func(kv ...string) map[string]string {
		env := map[string]string{"JWT_PUBLIC_KEY_PATH": "/keys/pub.pem", "AGS_BASE_URL": "https://ags.example"}
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	c, err := loadConfig(envconf.FromMap(realEnv()))
	require.NoError(t, err)
	require.Equal(t, 1, c.RewardAttempts, "real platform by default: one call, an unknown outcome is not repeated")
	c, err = loadConfig(envconf.FromMap(realEnv("REWARD_IDEMPOTENT_RETRIES", "true")))
	require.NoError(t, err)
	require.Equal(t, 3, c.RewardAttempts)
	c, err = loadConfig(envconf.FromMap(map[string]string{"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true", "MOCK_AGS": "true"}))
	require.NoError(t, err)
	require.Equal(t, 3, c.RewardAttempts, "the mock platform honours the key")

	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"attempts without idempotent platform": {realEnv("REWARD_ATTEMPTS", "3"), "REWARD_ATTEMPTS=3 repeats a grant whose outcome is unknown"},
		"bad flag":                             {realEnv("REWARD_IDEMPOTENT_RETRIES", "maybe"), "REWARD_IDEMPOTENT_RETRIES"},
		// 5 s to start + 5 × 10 s + 1 s of backoff + 5 s to record = 61 s: longer than a claim's answer may take.
		"worst case too long": {realEnv("REWARD_IDEMPOTENT_RETRIES", "true", "REWARD_ATTEMPTS", "5", "CLAIM_STALE_AFTER", "10m"), "worst-case claim (1m1s:"},
		"one slow attempt":    {realEnv("REWARD_TIMEOUT", "50s", "CLAIM_STALE_AFTER", "10m"), "worst-case claim (1m0s:"},
	} {
		_, err := loadConfig(envconf.FromMap(tc.env))
		require.ErrorContains(t, err, tc.want, name)
	}
	_, err = loadConfig(envconf.FromMap(realEnv("REWARD_IDEMPOTENT_RETRIES", "true", "REWARD_ATTEMPTS", "4", "CLAIM_STALE_AFTER", "10m")))
	require.NoError(t, err, "5 + 4 × 10 + 0.6 + 5 s = 50.6 s fits")
}
