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
// the per-user fields (status, locked, progress, completedAt, claimedAt) into a pooled buffer. The
// result must equal encoding/json's output semantically (TestListBuilderMatchesEncodingJSON), and
// its keys follow the reference's order with its empty values ("" times; see the service README).
type listBuilder struct {
	model      *progress.Model
	challenges []challengeFragments
	goalHead   [][]byte // by goal index: `{"goalId":…,"prerequisites":[…]`
	prereqs    [][]int  // by goal index: the prerequisites' goal indexes
	emptyAll   []byte   // the whole body for a user without stored facts
	sizeHint   int
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

var (
	statusFragments = func() [4][]byte {
		var f [4][]byte
		for s := progress.NotStarted; s <= progress.Claimed; s++ {
			f[s] = []byte(`,"status":"` + s.String() + `","locked":`)
		}
		return f
	}()
	lockedFragments = [2]string{`false,"progress":`, `true,"progress":`}
	// isActive and the expiry, by isActive: nothing rotates here (the catalog refuses rotation), so
	// a goal never expires.
	goalTails = [2]string{`,"isActive":false,"expiresAt":"","expiresInSeconds":0}`,
		`,"isActive":true,"expiresAt":"","expiresInSeconds":0}`}
)

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
			g := &ch.Goals[i]
			b.goalHead = append(b.goalHead, goalHead(g))
			var pre []int
			for _, id := range g.Prerequisites {
				if pi, ok := m.GoalIndex(id); ok {
					pre = append(pre, pi)
				}
			}
			b.prereqs = append(b.prereqs, pre)
			gi++
		}
		cf.end = gi
		b.challenges = append(b.challenges, cf)
	}
	b.emptyAll = b.append(nil, m.NewState(), false)
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

// append renders the body for st: every configured goal of every challenge. With activeOnly (the
// reference's active_only=true) inactive goals are still listed but without their progress, as the
// reference does (it loads only the active goals' rows and renders every configured goal).
func (b *listBuilder) append(dst []byte, st *progress.State, activeOnly bool) []byte {
	dst = append(dst, listOpen...)
	for ci := range b.challenges {
		cf := &b.challenges[ci]
		if ci > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, cf.head...)
		for gi := cf.first; gi < cf.end; gi++ {
			if gi != cf.first {
				dst = append(dst, ',')
			}
			active := st.Active(gi)
			p := st.Goal(gi)
			if activeOnly && !active {
				p = progress.GoalProgress{}
			}
			dst = append(dst, b.goalHead[gi]...)
			dst = append(dst, statusFragments[p.Status]...)
			dst = append(dst, lockedFragments[b.locked(st, gi)]...)
			dst = strconv.AppendInt(dst, p.Progress, 10)
			dst = append(dst, `,"completedAt":`...)
			dst = appendTime(dst, p.CompletedAt)
			dst = append(dst, `,"claimedAt":`...)
			dst = appendTime(dst, p.ClaimedAt)
			dst = append(dst, goalTails[b2i(active)]...)
		}
		dst = append(dst, challengeClose...)
	}
	return append(dst, listClose...)
}

// locked is 1 while some prerequisite of goal gi has not reached its target (what the claim
// checks, whether the prerequisite is active or not), else 0.
func (b *listBuilder) locked(st *progress.State, gi int) int {
	for _, pi := range b.prereqs[gi] {
		if !st.Reached(pi) {
			return 1
		}
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendTime writes a time in UTC as RFC 3339 with the fraction kept, or "" for the zero time (the
// reference's empty value).
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	if !t.IsZero() {
		dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	}
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
