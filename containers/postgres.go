package containers

import (
	"context"
	"fmt"
	"strings"

	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
)

// PostgreSQL defaults shared by the tests and the perf stack.
const (
	PostgresDB       = "challenge"
	PostgresUser     = "postgres"
	PostgresPassword = "postgres"
)

// PostgresContainer is testcontainers' PostgreSQL module container with this project's defaults.
type PostgresContainer struct {
	*tcpostgres.PostgresContainer
}

// PostgresCommand is the server command: fsync stays on (the module's default turns it off, which
// would flatter every write number), pg_stat_statements is preloaded so any PostgreSQL 15 image
// (ours or the official one) records statements, and there are connections enough for two pools of 50.
func PostgresCommand() []string {
	return []string{"postgres",
		"-c", "fsync=on",
		"-c", "max_connections=200",
		"-c", "shared_preload_libraries=pg_stat_statements",
		"-c", "pg_stat_statements.track=all",
		"-c", "track_io_timing=on",
	}
}

// RunPostgres starts PostgreSQL 15 (PERF_POSTGRES_IMAGE or the local build) with the project's
// labels and defaults; opts (limits, network, env) are applied after the defaults.
func RunPostgres(ctx context.Context, opts ...testcontainers.ContainerCustomizer) (*PostgresContainer, error) {
	imgs, err := EnsureImages(ctx, ImagePostgres)
	if err != nil {
		return nil, err
	}
	all := append([]testcontainers.ContainerCustomizer{
		tcpostgres.WithDatabase(PostgresDB),
		tcpostgres.WithUsername(PostgresUser),
		tcpostgres.WithPassword(PostgresPassword),
		testcontainers.WithCmd(PostgresCommand()...),
		// The statistics views need the extension in the database, and the official image (unlike
		// ours) does not create it: an init script works with both.
		testcontainers.WithFiles(testcontainers.ContainerFile{
			Reader:            strings.NewReader("CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n"),
			ContainerFilePath: "/docker-entrypoint-initdb.d/00-pg-stat-statements.sql", FileMode: 0o644,
		}),
		tcpostgres.BasicWaitStrategies(),
		WithProjectLabels(),
	}, opts...)
	c, err := tcpostgres.Run(ctx, imgs[ImagePostgres], all...)
	if err != nil {
		if c != nil {
			_ = c.Terminate(context.WithoutCancel(ctx))
		}
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &PostgresContainer{c}, nil
}

// ConnString returns a pgx URL on the mapped host port, with TLS off (the server has no certificate).
func (c *PostgresContainer) ConnString(ctx context.Context) (string, error) {
	return c.PostgresContainer.ConnectionString(ctx, "sslmode=disable")
}
