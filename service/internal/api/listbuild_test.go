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
	Status        string          `json:"status"`
	Locked        bool            `json:"locked"`
	Progress      int64           `json:"progress"`
	CompletedAt   string          `json:"completedAt"`
	ClaimedAt     string          `json:"claimedAt"`
	IsActive      bool            `json:"isActive"`
	ExpiresAt     string          `json:"expiresAt"`
	ExpiresIn     int             `json:"expiresInSeconds"`
}

func refResponse(cat *challenges.Catalog, m *progress.Model, st *progress.State, activeOnly bool) refList {
	out := refList{Challenges: []refChallenge{}}
	gi := 0
	for _, ch := range cat.Challenges {
		rc := refChallenge{ChallengeID: ch.ChallengeID, Name: ch.Name, Description: ch.Description}
		for _, g := range ch.Goals {
			p, active := st.Goal(gi), st.Active(gi)
			if activeOnly && !active {
				p = progress.GoalProgress{}
			}
			gi++
			pre := g.Prerequisites
			if pre == nil {
				pre = []string{}
			}
			locked := false
			for _, id := range pre {
				pi, _ := m.GoalIndex(id)
				locked = locked || !st.Reached(pi)
			}
			rg := refGoal{
				GoalID: g.GoalID, Name: g.Name, Description: g.Description,
				Requirement:   requirementJSON{g.Requirement.StatCode, g.Requirement.Operator, g.Requirement.TargetValue},
				Reward:        rewardJSON{g.Reward.Type, g.Reward.RewardID, g.Reward.Quantity},
				Prerequisites: pre, Status: p.Status.String(), Locked: locked, Progress: p.Progress, IsActive: active,
			}
			if !p.CompletedAt.IsZero() {
				rg.CompletedAt = p.CompletedAt.UTC().Format(time.RFC3339Nano)
			}
			if !p.ClaimedAt.IsZero() {
				rg.ClaimedAt = p.ClaimedAt.UTC().Format(time.RFC3339Nano)
			}
			rc.Goals = append(rc.Goals, rg)
		}
		out.Challenges = append(out.Challenges, rc)
	}
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
		for _, activeOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/active_only=%v", name, activeOnly), func(t *testing.T) {
				fast := b.append(nil, st, activeOnly)
				ref, err := json.Marshal(refResponse(cat, m, st, activeOnly))
				require.NoError(t, err)
				require.True(t, json.Valid(fast))
				require.Equal(t, unmarshalAny(t, ref), unmarshalAny(t, fast))
			})
		}
	}
	require.Equal(t, b.append(nil, m.NewState(), false), b.emptyAll, "cached empty body")
}

// Each goal object has every key exactly once, in the reference's order and with its empty values
// (the reference emitted "status" twice: once before "locked", once after "progress").
func TestListBuilderKeysOnce(t *testing.T) {
	cat := perfCatalog(t)
	m := progress.NewModel(cat)
	body := string(newListBuilder(cat, m).emptyAll)
	first := body[strings.Index(body, `{"goalId"`):]
	first = first[:strings.Index(first, `,{"goalId"`)]
	keys := []string{`"goalId"`, `"name"`, `"description"`, `"requirement"`, `"statCode"`, `"operator"`,
		`"targetValue"`, `"reward"`, `"type"`, `"rewardId"`, `"quantity"`, `"prerequisites"`, `"status"`,
		`"locked"`, `"progress"`, `"completedAt"`, `"claimedAt"`, `"isActive"`, `"expiresAt"`, `"expiresInSeconds"`}
	at := 0
	for _, k := range keys {
		require.Equal(t, 1, strings.Count(first, k+":"), "key %s in %s", k, first)
		i := strings.Index(first, k+":")
		require.Greater(t, i, at-1, "key %s out of order in %s", k, first)
		at = i
	}
	require.Contains(t, first, `"prerequisites":[]`)
	require.Contains(t, first, `"status":"not_started","locked":false,"progress":0,"completedAt":"","claimedAt":"","isActive":true,"expiresAt":"","expiresInSeconds":0}`)
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
