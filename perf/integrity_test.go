//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// groundTruth is the load generator's record of what the ACKNOWLEDGED events imply.
type groundTruth struct {
	Namespace       string `json:"namespace"`
	ValueMode       string `json:"valueMode"`
	EventsAcked     int64  `json:"eventsAcked"`
	EventsRejected  int64  `json:"eventsRejected"`
	EventsUncertain int64  `json:"eventsUncertain"`
	Users           map[string]struct {
		Logins int `json:"logins"`
		Stats  map[string]struct {
			Value     float64 `json:"value"`
			Timestamp string  `json:"timestamp"`
		} `json:"stats"`
	} `json:"users"`
}

func loadGroundTruth(dir string) (*groundTruth, error) {
	data, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		return nil, err
	}
	var gt groundTruth
	if err := json.Unmarshal(data, &gt); err != nil {
		return nil, fmt.Errorf("ground_truth.json: %w", err)
	}
	return &gt, nil
}

// checkIntegrity compares user_stats with the ground truth exactly, checks completion times are
// consistent with the stored maxima, and spot-checks the API's view of a few users.
func checkIntegrity(ctx context.Context, db *pgxpool.Pool, gt *groundTruth, cat *challenges.Catalog,
	apiURL string, tokens map[string]string, authMode string) (*runresult.Integrity, error) {
	in := &runresult.Integrity{EventsAcked: gt.EventsAcked, EventsUncertain: gt.EventsUncertain}
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
	expected := map[[2]string]float64{}
	for user, u := range gt.Users {
		if u.Logins > 0 && len(cat.GoalsForStatKey(challenges.LoginStatKey)) > 0 {
			expected[[2]string{user, challenges.LoginStatKey}] = float64(u.Logins)
		}
		for code, s := range u.Stats {
			if len(cat.GoalsForStatKey(code)) > 0 { // stats that drive no goal are not stored
				expected[[2]string{user, code}] = s.Value
			}
		}
	}
	users := map[string]bool{}
	for key, want := range expected {
		users[key[0]] = true
		in.ValuesChecked++
		got, ok := stored[key]
		switch {
		case !ok:
			in.Lost++
			problem("%s %s: nothing stored, acknowledged events imply %g", key[0], key[1], want)
		case got < want-1e-9:
			in.Lost++
			problem("%s %s: stored %g, acknowledged events imply %g", key[0], key[1], got, want)
		case got > want+1e-9:
			in.Extra++
			problem("%s %s: stored %g, acknowledged events imply %g", key[0], key[1], got, want)
		}
	}
	for key, got := range stored {
		if _, ok := expected[key]; !ok {
			in.Extra++
			problem("%s %s: stored %g but no acknowledged event", key[0], key[1], got)
		}
	}
	in.UsersChecked = len(users)
	// Events the generator could not classify (timed out after sending) may have been applied.
	in.ExtraExplained = in.Extra == 0 || int64(in.Extra) <= gt.EventsUncertain

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
		if err := checkAPIUser(ctx, apiURL, user, tokens[user], authMode, cat, stored); err != nil {
			problem("API view of %s: %v", user, err)
			continue
		}
		in.APIChecked++
	}
	in.OK = in.Lost == 0 && in.ExtraExplained && in.CompletionsOK && in.APIChecked == len(sample)
	return in, nil
}

func checkAPIUser(ctx context.Context, apiURL, user, token, authMode string, cat *challenges.Catalog, stored map[[2]string]float64) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"/v1/challenges", nil)
	if err != nil {
		return err
	}
	if authMode == "mock-header" {
		req.Header.Set("X-Mock-User-Id", user)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	var body struct {
		Challenges []struct {
			ChallengeID string `json:"challengeId"`
			Goals       []struct {
				GoalID   string `json:"goalId"`
				Progress int64  `json:"progress"`
				Status   string `json:"status"`
			} `json:"goals"`
		} `json:"challenges"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return err
	}
	n := 0
	for _, ch := range body.Challenges {
		for _, g := range ch.Goals {
			n++
			def, ok := cat.Goal(g.GoalID)
			if !ok {
				return fmt.Errorf("unknown goal %s", g.GoalID)
			}
			v := stored[[2]string{user, def.StatKey()}]
			target := def.Requirement.TargetValue
			wantProgress := int64(math.Min(math.Floor(v), float64(target)))
			wantStatus := "not_started"
			switch {
			case v >= float64(target):
				wantStatus = "completed"
			case v > 0:
				wantStatus = "in_progress"
			}
			// Monotonic values: the stored value is the maximum, so completion equals value ≥ target.
			if g.Progress != wantProgress || (g.Status != wantStatus && !(wantStatus == "completed" && g.Status == "claimed")) {
				return fmt.Errorf("goal %s: progress %d status %s, want %d %s", g.GoalID, g.Progress, g.Status, wantProgress, wantStatus)
			}
		}
	}
	if n != cat.NumGoals() {
		return fmt.Errorf("%d goals listed, want %d", n, cat.NumGoals())
	}
	return nil
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
