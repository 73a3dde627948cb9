package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// announceMocks makes every mock in use loud: a WARN line at start and challenge_mock_active{mock}
// = 1, so neither a log reader nor a dashboard can mistake a load-test configuration for a real
// deployment (the mock platform grants nothing; mock identity trusts any caller's header).
func announceMocks(cfg config, reg prometheus.Registerer, log *slog.Logger) {
	active := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "challenge_mock_active",
		Help: "1 for each mock in use (reward_platform: MOCK_AGS, grants nothing; identity: MOCK_IDENTITY, any caller names its user).",
	}, []string{"mock"})
	reg.MustRegister(active)
	set := func(mock string, on bool, warning string) {
		v := 0.0
		if on {
			v = 1
			log.Warn(warning, "mock", mock)
		}
		active.WithLabelValues(mock).Set(v)
	}
	set("reward_platform", cfg.MockAGS, "MOCK: the reward platform is a mock (MOCK_AGS=true): claims are recorded but nothing is granted to players")
	set("identity", cfg.MockIdentity, "MOCK: authentication is off (MOCK_IDENTITY=true): any caller acts as the user it names in X-Mock-User-Id")
}
