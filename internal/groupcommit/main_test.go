package groupcommit

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/internal/challenges"
	"github.com/challenge-perf/challenge-perf/internal/events/eventstest"
	"github.com/challenge-perf/challenge-perf/internal/store"
)

// One PostgreSQL container for the package, started by the first test that needs it; the
// committer's unit tests never pay for it.
var (
	pgOnce sync.Once
	pgC    *harness.PostgresContainer
	pgDSN  string
	pgErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pgC != nil {
		_ = pgC.Terminate(context.Background())
	}
	os.Exit(code)
}

// testPool returns a migrated pool (with cfg's statement timeout) on the fixture's goals, with
// empty data tables.
func testPool(t testing.TB, statementTimeout time.Duration) *pgxpool.Pool {
	t.Helper()
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if pgC, pgErr = harness.RunPostgres(ctx); pgErr != nil {
			return
		}
		pgDSN, pgErr = pgC.ConnString(ctx)
	})
	if pgErr != nil {
		t.Fatalf("postgres: %v", pgErr)
	}
	ctx := context.Background()
	pc, err := pgxpool.ParseConfig(pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	if statementTimeout > 0 {
		pc.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(statementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := store.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	cat, err := challenges.Parse(eventstest.FixtureJSON())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SyncGoals(ctx, pool, cat); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `TRUNCATE user_stats, applied_events`); err != nil {
		t.Fatal(err)
	}
	return pool
}
