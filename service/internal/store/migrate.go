package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is the advisory lock key serialising migrations, so the service and the event
// handler may start at the same moment against an empty database.
const migrationLockID = 7_410_233_001

// Migrate applies the embedded migrations that are not yet recorded, each in its own transaction.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: acquire: %w", err)
	}
	defer conn.Release()
	if err := liftTimeouts(ctx, conn); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer restoreTimeouts(context.WithoutCancel(ctx), conn)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockID) //nolint:errcheck // released with the session anyway
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: %s: name must start with a number", base)
		}
		var done bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version=$1)`, version).Scan(&done); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if done {
			continue
		}
		sql, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version, name) VALUES ($1, $2)`, version, base)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: %s: %w", base, err)
		}
	}
	return nil
}

// liftTimeouts removes the pool's statement and lock timeouts from conn's session: migrating waits
// for the migration lock (the other program migrating) and may rewrite tables, which the per-query
// bounds of serving must not cut; start-up's context bounds it instead.
func liftTimeouts(ctx context.Context, conn *pgxpool.Conn) error {
	_, err := conn.Exec(ctx, `SET statement_timeout = 0; SET lock_timeout = 0`)
	return err
}

// restoreTimeouts returns conn's session to the pool's timeouts (its startup parameters). A
// connection that cannot be restored is closed rather than pooled unbounded.
func restoreTimeouts(ctx context.Context, conn *pgxpool.Conn) {
	if _, err := conn.Exec(ctx, `RESET statement_timeout; RESET lock_timeout`); err != nil {
		_ = conn.Conn().Close(ctx)
	}
}
