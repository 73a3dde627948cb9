package targets

// Our programs' container ports: each is named once, here, for both the listen address the
// program is given and the port the stack reaches it on.
const (
	oursAPIPort  = "8000/tcp"
	oursGRPCPort = "6565/tcp"
	oursOpsPort  = "8080/tcp"
)

// listen is the listen address on all interfaces for a container port.
func listen(port string) string { return ":" + PortNumber(port) }

// ours is this repository's service and handler (service/cmd/...), as the stack has always run them.
func ours() Target {
	db := map[string]string{
		"DB_HOST": "{{.DBHost}}", "DB_PORT": "{{.DBPort}}", "DB_NAME": "{{.DBName}}",
		"DB_USER": "{{.DBUser}}", "DB_PASSWORD": "{{.DBPassword}}",
		"DB_MAX_OPEN_CONNS": "{{.DBMaxOpenConns}}", "AB_NAMESPACE": "{{.Namespace}}",
		"CHALLENGE_CONFIG_PATH": "{{.CatalogPath}}",
	}
	svc := with(db, map[string]string{
		"BASE_PATH": "{{.BasePath}}", "HTTP_ADDR": listen(oursAPIPort), "OPS_ADDR": listen(oursOpsPort),
		"MOCK_AGS": "true", "MOCK_AGS_LATENCY_MIN_MS": "{{.MockLatencyMinMs}}", "MOCK_AGS_LATENCY_MAX_MS": "{{.MockLatencyMaxMs}}",
		"JWT_PUBLIC_KEY_PATH":             "{{if not .AuthOff}}{{.JWTPublicKeyPath}}{{end}}",
		"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "{{if .AuthOff}}false{{end}}",
		// Auth off alone is refused: mock identity is its own explicit setting.
		"MOCK_IDENTITY": "{{if .AuthOff}}true{{end}}",
	})
	h := with(db, map[string]string{
		"REDIS_ADDR": "{{.RedisAddr}}", "GRPC_ADDR": listen(oursGRPCPort), "OPS_ADDR": listen(oursOpsPort),
		"ACK_MODE": "{{.AckMode}}", "BUFFER_FLUSH_INTERVAL": "{{.FlushInterval}}", "COMMIT_WINDOW": `{{if ne .AckMode "buffered"}}{{.FlushInterval}}{{end}}`, "BUFFER_SIZE_LIMIT": "{{.BufferSizeLimit}}",
	})
	return Target{
		Name:        Ours,
		Description: "this repository's challenge service and event handler (service/)",
		Service: Program{Env: svc, CatalogPath: "/config/challenges.json", Ports: []string{oursAPIPort, oursOpsPort},
			APIPort: oursAPIPort, OpsPort: oursOpsPort, Health: Health{Protocol: HealthHTTP, Port: oursOpsPort, Path: "/healthz"}},
		Handler: Program{Env: h, CatalogPath: "/config/challenges.json", Ports: []string{oursGRPCPort, oursOpsPort},
			GRPCPort: oursGRPCPort, OpsPort: oursOpsPort, Health: Health{Protocol: HealthHTTP, Port: oursOpsPort, Path: "/healthz"}},
		Catalog: CatalogOurs,
		Has:     Capabilities{OurMetrics: true, OurSchema: true, Pprof: true, Redis: true, EventOrder: true},
		Smoke:   SmokeLevels{RPS: 200, EPS: 1000, CombinedRPS: 100, CombinedEPS: 500},
	}
}

// reference is AccelByte's extend-challenge (../shared/reference/contracts.md §5): its variable
// names, its catalog with defaultAssigned goals, gRPC health, one initialise call per user. It has
// no local build here: PERF_SERVICE_IMAGE and PERF_HANDLER_IMAGE name its images.
func reference() Target {
	db := map[string]string{
		"DB_HOST": "{{.DBHost}}", "DB_PORT": "{{.DBPort}}", "DB_NAME": "{{.DBName}}",
		"DB_USER": "{{.DBUser}}", "DB_PASSWORD": "{{.DBPassword}}", "DB_SSLMODE": "disable",
		"AB_NAMESPACE": "{{.Namespace}}",
		// Its auth checks AGS-issued tokens against the platform, which the stack does not run.
		"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false",
	}
	svc := with(db, map[string]string{
		"BASE_PATH": "{{.BasePath}}", "REWARD_CLIENT_MODE": "mock",
		"CHALLENGE_CONFIG_PATH": "{{.CatalogPath}}",
		"DB_MAX_OPEN_CONNS":     "{{.DBMaxOpenConns}}", "DB_MAX_IDLE_CONNS": "{{.DBMaxOpenConns}}",
	})
	h := with(db, map[string]string{"CONFIG_PATH": "{{.CatalogPath}}"}) // its pool is fixed at 50
	return Target{
		Name:        Reference,
		Description: "AccelByte's extend-challenge service and event handler (images from PERF_SERVICE_IMAGE / PERF_HANDLER_IMAGE)",
		// Its service also serves gRPC (6565, its health check's port); the suite calls only its REST API.
		Service: Program{Env: svc, CatalogPath: "/config/challenges.json", Ports: []string{"8000/tcp", "6565/tcp", "8080/tcp"},
			APIPort: "8000/tcp", OpsPort: "8080/tcp", Health: Health{Protocol: HealthGRPC, Port: "6565/tcp"},
			// The service migrates at start from a file:// URL inside its image, which depends on
			// how the image was built: the user names it (PERF_SERVICE_ENV=MIGRATIONS_PATH=file://...).
			Required: []string{"MIGRATIONS_PATH"}},
		Handler: Program{Env: h, CatalogPath: "/config/challenges.json", Ports: []string{"6565/tcp", "8080/tcp"},
			GRPCPort: "6565/tcp", OpsPort: "8080/tcp", Health: Health{Protocol: HealthGRPC, Port: "6565/tcp"}},
		Catalog:   CatalogDefaultAssigned,
		UserSetup: &Call{Method: "POST", Path: "/v1/challenges/initialize", Body: "{}"},
		Has:       Capabilities{Pprof: true},
		Quirks: []string{
			"users exist only after POST {BASE_PATH}/v1/challenges/initialize; events for users never initialised change nothing",
			"GET /v1/challenges answers 200 for any user, initialised or not",
			"the list JSON repeats \"status\" in each goal object (the last one wins) and uses \"\" for absent timestamps",
			"the handler buffers about 3,000 updates and then refuses events (the generator redelivers them)",
			"auth off only (PLUGIN_GRPC_SERVER_AUTH_ENABLED=false): callers are named by X-Mock-User-Id",
			"the service runs the migrations, so the handler starts after it",
		},
		RequiresAuthOff:     true,
		HandlerAfterService: true,
		NeedsImages:         true,
		// Measured here (built locally, PERF_IMPL=reference): it held 200 RPS and 100 EPS with exact
		// integrity and lost acknowledged events at 500 EPS, so its smoke stays below that.
		Smoke: SmokeLevels{RPS: 200, EPS: 100, CombinedRPS: 50, CombinedEPS: 100},
	}
}

func with(base, extra map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
