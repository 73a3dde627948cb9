// Package harness starts the system under test (challenge service, event handler, PostgreSQL,
// Redis) and the load generator as containers with CPU and memory limits, in the shape of
// testcontainers-go modules: Run(ctx, opts...) returning typed containers with helpers. It also
// observes them: Docker stats, PostgreSQL statistics, Prometheus scrapes and pprof profiles.
// Images and the PostgreSQL/Redis containers themselves come from package containers.
package harness
