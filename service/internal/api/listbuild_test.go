package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// The encoding/json reference of the list response: what the fast builder must be equal to.
type refList struct {
	Challenges []refChallenge `json:"challenges"`
}

type refChallenge struct {
	ChallengeID string    `json:"challengeId"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Goals       []refGoal `json:"goals"`
}

type refGoal struct {
	GoalID        string          `json:"goalId"`
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Requirement   requirementJSON `json:"requirement"`
	Reward        rewardJSON      `json:"reward"`
	Prerequisites []string        `json:"prerequisites"`
	Progress      int64           `json:"progress"`
	Status        string          `json:"status"`
	CompletedAt   *time.Time      `json:"completedAt"`
	ClaimedAt     *time.Time      `json:"claimedAt"`
}

func refResponse(cat *challenges.Catalog, m *progress.Model, st *progress.State, activeOnly bool) refList {
	out := refList{Challenges: []refChallenge{}}
	gi := 0
	for _, ch := range cat.Challenges {
		rc := refChallenge{ChallengeID: ch.ChallengeID, Name: ch.Name, Description: ch.Description}
		active := false
		for _, g := range ch.Goals {
			p := st.Goal(gi)
			gi++
			active = active || p.Status == progress.InProgress || p.Status == progress.Completed
			pre := g.Prerequisites
			if pre == nil {
				pre = []string{}
			}
			rg := refGoal{
				GoalID: g.GoalID, Name: g.Name, Description: g.Description,
				Requirement:   requirementJSON{g.Requirement.StatCode, g.Requirement.Operator, g.Requirement.TargetValue},
				Reward:        rewardJSON{g.Reward.Type, g.Reward.RewardID, g.Reward.Quantity},
				Prerequisites: pre, Progress: p.Progress, Status: p.Status.String(),
			}
			if !p.CompletedAt.IsZero() {
				t := p.CompletedAt.UTC()
				rg.CompletedAt = &t
			}
			if !p.ClaimedAt.IsZero() {
				t := p.ClaimedAt.UTC()
				rg.ClaimedAt = &t
			}
			rc.Goals = append(rc.Goals, rg)
		}
		if activeOnly && !active {
			continue
		}
		out.Challenges = append(out.Challenges, rc)
	}
	_ = m
	return out
}

func unmarshalAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v), "body: %.300s", b)
	require.False(t, dec.More(), "trailing data")
	return v
}

func TestListBuilderMatchesEncodingJSON(t *testing.T) {
	cat := perfCatalog(t)
	m := progress.NewModel(cat)
	b := newListBuilder(cat, m)
	for name, st := range sampleStates(m) {
		for _, active := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/active_only=%v", name, active), func(t *testing.T) {
				fast := b.append(nil, st, active)
				ref, err := json.Marshal(refResponse(cat, m, st, active))
				require.NoError(t, err)
				require.True(t, json.Valid(fast))
				require.Equal(t, unmarshalAny(t, ref), unmarshalAny(t, fast), "active_only=%v", active)
			})
		}
	}
	require.Equal(t, b.append(nil, m.NewState(), false), b.emptyAll, "cached empty body")
}

// Each goal object has every key exactly once, in the documented order (the reference emitted
// "status" twice).
func TestListBuilderKeysOnce(t *testing.T) {
	cat := perfCatalog(t)
	m := progress.NewModel(cat)
	body := string(newListBuilder(cat, m).emptyAll)
	first := body[strings.Index(body, `{"goalId"`):]
	first = first[:strings.Index(first, `,{"goalId"`)]
	keys := []string{`"goalId"`, `"name"`, `"description"`, `"requirement"`, `"statCode"`, `"operator"`,
		`"targetValue"`, `"reward"`, `"type"`, `"rewardId"`, `"quantity"`, `"prerequisites"`, `"progress"`,
		`"status"`, `"completedAt"`, `"claimedAt"`}
	for _, k := range keys {
		require.Equal(t, 1, strings.Count(first, k+":"), "key %s in %s", k, first)
	}
	require.Contains(t, first, `"prerequisites":[]`)
	require.Contains(t, first, `"progress":0,"status":"not_started","completedAt":null,"claimedAt":null}`)
}

var sink []byte

func benchState(b *testing.B) (*listBuilder, *challenges.Catalog, *progress.Model, *progress.State) {
	cat := perfCatalog(b)
	m := progress.NewModel(cat)
	return newListBuilder(cat, m), cat, m, sampleStates(m)["mixed"]
}

// BenchmarkListResponse renders the 500-goal list for a user with mixed progress into a reused
// buffer, as the handler does.
func BenchmarkListResponse(b *testing.B) {
	lb, _, _, st := benchState(b)
	buf := make([]byte, 0, lb.sizeHint)
	b.ReportAllocs()
	for b.Loop() {
		buf = lb.append(buf[:0], st, false)
	}
	b.SetBytes(int64(len(buf)))
	sink = buf
}

// BenchmarkListResponseEncodingJSON is the same response built as structs and encoded with encoding/json.
func BenchmarkListResponseEncodingJSON(b *testing.B) {
	_, cat, m, st := benchState(b)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(refResponse(cat, m, st, false))
		if err != nil {
			b.Fatal(err)
		}
		n, sink = len(out), out
	}
	b.SetBytes(int64(n))
}
