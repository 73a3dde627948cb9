package buffer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// One PostgreSQL container for the package, started by the first test that needs it; unit tests
// never pay for it.
var (
	pg     containers.SharedPostgres
	pgOnce sync.Once
	pgPool *pgxpool.Pool
	pgErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pgPool != nil {
		pgPool.Close()
	}
	pg.Terminate()
	os.Exit(code)
}

// testPool returns a migrated pool with the fixture's goals and empty stat tables.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := pg.DSN(t)
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if pgPool, pgErr = openPool(ctx, dsn); pgErr != nil {
			return
		}
		pgErr = store.SyncGoals(ctx, pgPool, fixtureCatalog(t))
	})
	if pgErr != nil {
		t.Fatalf("postgres: %v", pgErr)
	}
	_, err := pgPool.Exec(context.Background(), `TRUNCATE user_stats`)
	if err != nil {
		t.Fatal(err)
	}
	return pgPool
}

func openPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return openPoolConfig(ctx, cfg)
}

// openPoolConfig opens a pool on cfg and migrates its database.
func openPoolConfig(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// fixtureCatalog mirrors the perf fixture: per stat code 100 goals with targets mult·g, g = 1..100.
func fixtureCatalog(t testing.TB) *challenges.Catalog {
	t.Helper()
	codes := []struct {
		code, source string
		mult         int
	}{{"login_count", "login", 1}, {"enemy_kills", "statistic", 10}, {"games_played", "statistic", 2}, {"headshots", "statistic", 5}, {"wins", "statistic", 1}}
	var chs []map[string]any
	for i, c := range codes {
		var goals []map[string]any
		for g := 1; g <= 100; g++ {
			goals = append(goals, map[string]any{
				"goalId": fmt.Sprintf("c%d-g%03d", i, g), "name": "n", "description": "d", "eventSource": c.source,
				"requirement": map[string]any{"statCode": c.code, "operator": ">=", "targetValue": c.mult * g},
				"reward":      map[string]any{"type": "WALLET", "rewardId": "GEMS", "quantity": 1},
			})
		}
		chs = append(chs, map[string]any{"challengeId": fmt.Sprintf("c%d", i), "name": "c", "description": "d", "goals": goals})
	}
	data, _ := json.Marshal(map[string]any{"challenges": chs})
	cat, err := challenges.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
