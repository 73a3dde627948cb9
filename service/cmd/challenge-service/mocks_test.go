package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

func TestEveryActiveMockIsLoggedAndCounted(t *testing.T) {
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	announceMocks(config{MockAGS: true, MockIdentity: true}, reg, slog.New(slog.NewTextHandler(&logs, nil)))
	require.Equal(t, 2, strings.Count(logs.String(), "level=WARN"), logs.String())
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP challenge_mock_active 1 for each mock in use (reward_platform: MOCK_AGS, grants nothing; identity: MOCK_IDENTITY, any caller names its user).
# TYPE challenge_mock_active gauge
challenge_mock_active{mock="identity"} 1
challenge_mock_active{mock="reward_platform"} 1
`), "challenge_mock_active"))

	logs.Reset()
	announceMocks(config{}, prometheus.NewRegistry(), slog.New(slog.NewTextHandler(&logs, nil)))
	require.Empty(t, logs.String(), "a real deployment logs no mock warning")
}
