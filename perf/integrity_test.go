//go:build perf

package perf

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// checkIntegrity compares user_stats with the truth exactly (this repository's schema), checks
// completion times are consistent with the stored maxima, and spot-checks the API's view of a few
// users against the truth (apiUser).
func checkIntegrity(ctx context.Context, db *pgxpool.Pool, truth *suite.Truth, gt *suite.GroundTruth, cat *challenges.Catalog,
	apiUser func(user string) error) (*runresult.Integrity, error) {
	in := &runresult.Integrity{EventsAcked: gt.EventsAcked, EventsUncertain: gt.EventsUncertain, Method: "sql+api"}
	stored := map[[2]string]float64{}
	rows, err := db.Query(ctx, `SELECT user_id, stat_key, value FROM user_stats`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u, k string
		var v float64
		if err := rows.Scan(&u, &k, &v); err != nil {
			return nil, err
		}
		stored[[2]string{u, k}] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	problem := func(format string, args ...any) {
		if len(in.Problems) < 20 {
			in.Problems = append(in.Problems, fmt.Sprintf(format, args...))
		}
	}
	// Every (user, stat) the truth knows (seeded values, acknowledged and uncertain events since the
	// reset) and every stored row, each judged by attribution (suite.Truth.CompareStored).
	users := map[string]bool{}
	judge := func(key [2]string, got float64, ok bool) {
		switch truth.CompareStored(key[0], key[1], got, ok) {
		case suite.Lost:
			in.Lost++
			want, _ := truth.Value(key[0], key[1])
			problem("%s %s: %s, acknowledged events imply %g (deciding event %s)", key[0], key[1], storedText(got, ok), want, orNone(truth.EventID(key[0], key[1])))
		case suite.Extra:
			in.Extra++
			want, acked := truth.Value(key[0], key[1])
			if acked {
				problem("%s %s: %s, acknowledged events imply %g and no uncertain event of this stat had it", key[0], key[1], storedText(got, ok), want)
			} else {
				problem("%s %s: %s but no acknowledged or uncertain event of this stat", key[0], key[1], storedText(got, ok))
			}
		case suite.Explained:
			in.Explained++
		}
	}
	for _, key := range truth.Keys() {
		users[key[0]] = true
		in.ValuesChecked++
		got, ok := stored[key]
		judge(key, got, ok)
	}
	for key, got := range stored {
		if !truth.Touched(key[0], key[1]) {
			in.ValuesChecked++
			judge(key, got, true)
		}
	}
	in.UsersChecked = len(users)
	in.ExtraExplained = in.Extra == 0

	// Completion derives from max_value; its time is crossed_at[i], one entry per distinct target
	// reached. Every row must hold exactly width_bucket(max_value, targets) entries.
	var statRows, mismatched int64
	if err := db.QueryRow(ctx, `SELECT count(*),
		count(*) FILTER (WHERE cardinality(s.crossed_at) <> coalesce(width_bucket(s.max_value, t.targets), 0))
		FROM user_stats s LEFT JOIN stat_thresholds t ON t.stat_key = s.stat_key`).
		Scan(&statRows, &mismatched); err != nil {
		return nil, err
	}
	in.CompletionsOK = mismatched == 0
	if !in.CompletionsOK {
		problem("completion times: %d of %d user_stats rows hold a crossed_at length other than width_bucket(max_value, targets)", mismatched, statRows)
	}

	// The API must show what the database holds: a few users, every goal.
	sample := make([]string, 0, len(users))
	for u := range users {
		sample = append(sample, u)
	}
	sort.Strings(sample)
	if len(sample) > 5 {
		sample = sample[:5]
	}
	for _, user := range sample {
		if err := apiUser(user); err != nil {
			problem("API view of %s: %v", user, err)
			continue
		}
		in.APIChecked++
	}
	in.OK = in.Lost == 0 && in.ExtraExplained && in.CompletionsOK && in.APIChecked == len(sample)
	return in, nil
}

func storedText(got float64, ok bool) string {
	if !ok {
		return "nothing stored"
	}
	return fmt.Sprintf("stored %g", got)
}

// waitDrained waits until the handler's buffer is empty and stays empty for two flush intervals,
// so the database holds everything acknowledged before it is checked or truncated.
func waitDrained(ctx context.Context, opsURL string, flush time.Duration) error {
	if opsURL == "" { // an external target without a reachable ops port: give it a few flushes
		time.Sleep(3*flush + time.Second)
		return nil
	}
	deadline := time.Now().Add(60*time.Second + 5*flush)
	var emptySince time.Time
	for time.Now().Before(deadline) {
		fams, err := harness.Scrape(ctx, opsURL)
		if err == nil {
			if v, ok := harness.MetricSum(fams, "buffer_entries", nil); ok && v == 0 {
				if emptySince.IsZero() {
					emptySince = time.Now()
				} else if time.Since(emptySince) >= 2*flush {
					return nil
				}
			} else if !ok {
				return fmt.Errorf("handler exposes no buffer_entries metric")
			} else {
				emptySince = time.Time{}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("handler buffer did not drain within %s", 60*time.Second+5*flush)
}
