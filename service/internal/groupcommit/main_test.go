package groupcommit

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/contract/eventstest"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

var pg containers.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Terminate()
	os.Exit(code)
}

// testPool returns a migrated pool (with the given server-side statement timeout, 0 for none) on
// the fixture's goals, with empty data tables.
func testPool(t testing.TB, statementTimeout time.Duration) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	pc, err := pgxpool.ParseConfig(pg.DSN(t))
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
	cat, err := challenges.Parse(eventstest.FixtureJSON())
	if err == nil {
		err = store.Migrate(ctx, pool)
	}
	if err == nil {
		err = store.SyncGoals(ctx, pool, cat)
	}
	if err == nil {
		_, err = pool.Exec(ctx, `TRUNCATE user_stats, applied_events`)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pool
}
