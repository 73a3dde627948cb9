package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// listBuilder renders GET /v1/challenges without encoding/json on the request path. Everything that
// does not depend on the user (ids, names, requirement, reward, prerequisites) is escaped by
// encoding/json once at start-up into byte fragments; a request appends those fragments and only
// the per-user fields (progress, status, completedAt, claimedAt) into a pooled buffer. The result
// must equal encoding/json's output semantically (TestListBuilderMatchesEncodingJSON).
type listBuilder struct {
	model       *progress.Model
	challenges  []challengeFragments
	goalHead    [][]byte // by goal index: `{"goalId":…,"prerequisites":[…],"progress":`
	emptyAll    []byte   // the whole body for a user without stored facts
	emptyActive []byte   // the same with active_only=true
	sizeHint    int
}

type challengeFragments struct {
	head  []byte // `{"challengeId":…,"description":…,"goals":[`
	first int    // goal index range [first, end)
	end   int
}

const (
	listOpen       = `{"challenges":[`
	listClose      = "]}\n"
	challengeClose = "]}"
)

var statusFragments = func() [4][]byte {
	var f [4][]byte
	for s := progress.NotStarted; s <= progress.Claimed; s++ {
		f[s] = []byte(`,"status":"` + s.String() + `","completedAt":`)
	}
	return f
}()

func newListBuilder(cat *challenges.Catalog, m *progress.Model) *listBuilder {
	b := &listBuilder{model: m}
	gi := 0
	for _, ch := range cat.Challenges {
		cf := challengeFragments{first: gi}
		cf.head = append(cf.head, `{"challengeId":`...)
		cf.head = appendJSON(cf.head, ch.ChallengeID)
		cf.head = append(cf.head, `,"name":`...)
		cf.head = appendJSON(cf.head, ch.Name)
		cf.head = append(cf.head, `,"description":`...)
		cf.head = appendJSON(cf.head, ch.Description)
		cf.head = append(cf.head, `,"goals":[`...)
		for i := range ch.Goals {
			b.goalHead = append(b.goalHead, goalHead(&ch.Goals[i]))
			gi++
		}
		cf.end = gi
		b.challenges = append(b.challenges, cf)
	}
	empty := m.NewState()
	b.emptyAll = b.append(nil, empty, false)
	b.emptyActive = b.append(nil, empty, true)
	b.sizeHint = len(b.emptyAll) + m.NumGoals()*96 // room for timestamps
	return b
}

func goalHead(g *challenges.Goal) []byte {
	prereqs := g.Prerequisites
	if prereqs == nil {
		prereqs = []string{} // [] never null
	}
	var h []byte
	h = append(h, `{"goalId":`...)
	h = appendJSON(h, g.GoalID)
	h = append(h, `,"name":`...)
	h = appendJSON(h, g.Name)
	h = append(h, `,"description":`...)
	h = appendJSON(h, g.Description)
	h = append(h, `,"requirement":`...)
	h = appendJSON(h, requirementJSON{g.Requirement.StatCode, g.Requirement.Operator, g.Requirement.TargetValue})
	h = append(h, `,"reward":`...)
	h = appendJSON(h, rewardJSON{g.Reward.Type, g.Reward.RewardID, g.Reward.Quantity})
	h = append(h, `,"prerequisites":`...)
	h = appendJSON(h, prereqs)
	h = append(h, `,"progress":`...)
	return h
}

// appendJSON is start-up only: encoding/json does the escaping. HTML escaping is off so an
// operator reads ">=" as in the reference API, not "\u003e=".
func appendJSON(dst []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // strings, ints and string slices always marshal
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// append renders the body for st. activeOnly keeps only challenges with at least one goal in
// progress or completed (not yet claimed): the ones a player has something to do or collect in.
func (b *listBuilder) append(dst []byte, st *progress.State, activeOnly bool) []byte {
	dst = append(dst, listOpen...)
	wrote := false
	for ci := range b.challenges {
		cf := &b.challenges[ci]
		mark := len(dst)
		if wrote {
			dst = append(dst, ',')
		}
		dst = append(dst, cf.head...)
		active := false
		for gi := cf.first; gi < cf.end; gi++ {
			if gi != cf.first {
				dst = append(dst, ',')
			}
			p := st.Goal(gi)
			active = active || p.Status == progress.InProgress || p.Status == progress.Completed
			dst = append(dst, b.goalHead[gi]...)
			dst = strconv.AppendInt(dst, p.Progress, 10)
			dst = append(dst, statusFragments[p.Status]...)
			dst = appendTime(dst, p.CompletedAt)
			dst = append(dst, `,"claimedAt":`...)
			dst = appendTime(dst, p.ClaimedAt)
			dst = append(dst, '}')
		}
		if activeOnly && !active {
			dst = dst[:mark]
			continue
		}
		dst = append(dst, challengeClose...)
		wrote = true
	}
	return append(dst, listClose...)
}

// appendTime writes what encoding/json writes for a *time.Time in UTC, or null for the zero time.
func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// JSON shapes shared by the start-up fragments, the claim response and the encoding/json reference.
type requirementJSON struct {
	StatCode    string `json:"statCode"`
	Operator    string `json:"operator"`
	TargetValue int64  `json:"targetValue"`
}

type rewardJSON struct {
	Type     string `json:"type"`
	RewardID string `json:"rewardId"`
	Quantity int64  `json:"quantity"`
}
