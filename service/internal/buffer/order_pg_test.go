package buffer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// rowFor is the row one stat event writes on its own, for user.
func rowFor(user, id string, v float64, at time.Time) statstore.Row {
	u := statID(id, v, at)
	u.UserID = user
	return statstore.RowOf(u)
}

// orderCase is a sequence of flushes of one key and the value and maximum it must end at, in
// every order the flushes may commit in.
type orderCase struct {
	name       string
	flushes    []statstore.Row
	value, max float64
}

var orderCases = []orderCase{
	{"equal timestamps, then a redelivery", []statstore.Row{rowFor("", "a", 5, t0), rowFor("", "b", 7, t0), rowFor("", "a", 5, t0)}, 7, 7},
	{"timestamp-less events, by id", []statstore.Row{rowFor("", "b", 7, time.Time{}), rowFor("", "a", 5, time.Time{})}, 7, 7},
	{"timestamp-less after a timestamped one", []statstore.Row{rowFor("", "a", 7, t0), rowFor("", "z", 9, time.Time{})}, 7, 9},
	{"older timestamp with a greater id", []statstore.Row{rowFor("", "a", 7, t0), rowFor("", "z", 9, t0.Add(-time.Microsecond))}, 7, 9},
	// Bytewise, like Go: "a" > "B" and "é" > "z", which a linguistic collation orders the other way.
	{"ids compare bytewise (case)", []statstore.Row{rowFor("", "B", 7, t0), rowFor("", "a", 5, t0)}, 5, 7},
	{"ids compare bytewise (UTF-8)", []statstore.Row{rowFor("", "z", 7, t0), rowFor("", "é", 5, t0)}, 5, 7},
}

// The SQL upsert (UpsertCTE) applies the same order as the merge: each sequence ends at the same
// value whichever order its flushes commit in (each permutation on its own user).
func TestUpsertOrderDoesNotDependOnCommitOrder(t *testing.T) {
	pool := testPool(t)
	w := NewPGWriter(pool)
	for _, c := range orderCases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			permuteRows(slices.Clone(c.flushes), func(p []statstore.Row) {
				n++
				user := c.name + "/" + string(rune('0'+n))
				for _, r := range p {
					r.UserID = user
					write(t, w, r)
				}
				got := readStats(t, pool)[statstore.Key{UserID: user, StatKey: "wins"}]
				require.Equal(t, [2]float64{c.value, c.max}, [2]float64{got.value, got.max}, "commit order %v", ids(p))
			})
		})
	}
}

// The stored key is the greater one, with value: (value_at, value_event_id) move together.
func TestUpsertStoresTheDecidingEventsKey(t *testing.T) {
	pool := testPool(t)
	w := NewPGWriter(pool)
	write(t, w, rowFor("u1", "b", 7, t0))
	write(t, w, rowFor("u1", "a", 5, t0))
	write(t, w, rowFor("u1", "z", 9, time.Time{}))
	var at time.Time
	var id string
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT value_at, value_event_id FROM user_stats WHERE user_id = 'u1'`).Scan(&at, &id))
	require.True(t, at.Equal(t0), "%v", at)
	require.Equal(t, "b", id)

	write(t, w, rowFor("u2", "z", 9, time.Time{}))
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT value_at, value_event_id FROM user_stats WHERE user_id = 'u2'`).Scan(&at, &id))
	require.True(t, at.Equal(time.Time{}), "a timestamp-less event is stored with the zero time, %v", at)
	require.Equal(t, "z", id)
}

func permuteRows(rs []statstore.Row, f func([]statstore.Row)) {
	var rec func(k int)
	rec = func(k int) {
		if k == len(rs) {
			f(rs)
			return
		}
		for i := k; i < len(rs); i++ {
			rs[k], rs[i] = rs[i], rs[k]
			rec(k + 1)
			rs[k], rs[i] = rs[i], rs[k]
		}
	}
	rec(0)
}

func ids(rs []statstore.Row) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.EventID)
	}
	return out
}

// The order does not depend on the database's collation: in a database whose default is
// linguistic (ICU en-US, where "a" < "B" and "é" < "z"), ids still compare bytewise, because the
// column and the comparison are COLLATE "C".
func TestUpsertOrderIgnoresTheDatabaseCollation(t *testing.T) {
	testPool(t) // starts the container
	ctx := context.Background()
	_, err := pgPool.Exec(ctx, `DROP DATABASE IF EXISTS order_icu`)
	require.NoError(t, err)
	_, err = pgPool.Exec(ctx, `CREATE DATABASE order_icu TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = pgPool.Exec(ctx, `DROP DATABASE order_icu WITH (FORCE)`) })
	cfg, err := pgxpool.ParseConfig(pg.DSN(t))
	require.NoError(t, err)
	cfg.ConnConfig.Database = "order_icu"
	pool, err := openPoolConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()

	var linguistic bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT 'a'::text < 'B'::text AND 'é'::text < 'z'::text`).Scan(&linguistic))
	require.True(t, linguistic, "the database's default collation is not bytewise")
	w := NewPGWriter(pool)
	write(t, w, rowFor("u1", "B", 7, t0), rowFor("u2", "z", 7, t0))
	write(t, w, rowFor("u1", "a", 5, t0), rowFor("u2", "é", 5, t0))
	var v1, v2 float64
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT value FROM user_stats WHERE user_id = 'u1'),
		(SELECT value FROM user_stats WHERE user_id = 'u2')`).Scan(&v1, &v2))
	require.Equal(t, [2]float64{5, 5}, [2]float64{v1, v2}, `"a" > "B" and "é" > "z" bytewise`)
}
