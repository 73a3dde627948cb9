package challenge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

// The API requests' names: the {name:...} tag of their http_* submetrics.
const (
	NameGetChallenges = "GET /v1/challenges"
	NameClaim         = "POST /v1/challenges/{challengeId}/goals/{goalId}/claim"
)

// apiLoadFactory is apiLoad, spec scenario 1: 80 % GET /v1/challenges; 20 % GET then claim
// the first completed, unclaimed goal if there is one (200, 202 and 409 are
// expected outcomes of a claim: granted, in progress — the outcome not known yet —, already claimed).
//
// env: getOnly (bool, default false), claimRatio (default 0.2).
func apiLoadFactory(sc *loadgen.ScenarioContext) (loadgen.Iteration, error) {
	if err := sc.CheckEnv(apiLoadEnvKeys...); err != nil {
		return nil, err
	}
	if err := sc.HTTP(); err != nil {
		return nil, err
	}
	getOnly, err := sc.EnvBool(envGetOnly, false)
	if err != nil {
		return nil, err
	}
	ratio, err := sc.EnvFloat(envClaimRatio, 0.2)
	if err != nil || ratio < 0 || ratio > 1 {
		return nil, sc.EnvError(envClaimRatio, "a number in 0..1")
	}
	if getOnly {
		ratio = 0
	}
	sc.SetMainMetric(loadgen.MetricHTTPReqDuration)
	base := sc.Plan.Target.BaseURL
	listURL := base + "/v1/challenges"
	return func(ctx context.Context, vu *loadgen.VU) error {
		user := vu.PickUser()
		claim := vu.Rand.Float64() < ratio
		r := vu.HTTP(ctx, loadgen.HTTPRequest{Method: http.MethodGet, URL: listURL, Name: NameGetChallenges, User: user})
		ok := vu.Check("GET challenges: status 200", r.Err == nil && r.Status == 200)
		// A substring test instead of a full decode: parsing ~150 KB per GET
		// would cost the generator more than the request itself.
		vu.Check("GET challenges: has data", ok && bytes.Contains(r.Body, []byte(`"challengeId"`)))
		if !ok {
			return r.Err
		}
		if !claim || !bytes.Contains(r.Body, []byte(`"completed"`)) {
			return nil
		}
		cid, gid, found := firstCompleted(r.Body)
		if !found {
			return nil
		}
		url := fmt.Sprintf("%s/v1/challenges/%s/goals/%s/claim", base, cid, gid)
		c := vu.HTTP(ctx, loadgen.HTTPRequest{Method: http.MethodPost, URL: url, Name: NameClaim, User: user, Expected: []int{409}})
		vu.Check("POST claim: status 200, 202 or 409", c.Err == nil && (c.Status == 200 || c.Status == 202 || c.Status == 409))
		// The achieved mix (claim_outcomes{name:200|409|...|error}): whether claims really happen.
		outcome := "error"
		if c.Err == nil {
			outcome = strconv.Itoa(c.Status)
		}
		vu.Add(claimOutcomes, 1, outcome)
		return c.Err
	}, nil
}

type challengeList struct {
	Challenges []struct {
		ChallengeID string `json:"challengeId"`
		Goals       []struct {
			GoalID    string          `json:"goalId"`
			Status    string          `json:"status"`
			Progress  float64         `json:"progress"`
			ClaimedAt json.RawMessage `json:"claimedAt"`
			Req       struct {
				StatCode    string  `json:"statCode"`
				TargetValue float64 `json:"targetValue"`
			} `json:"requirement"`
		} `json:"goals"`
	} `json:"challenges"`
}

func firstCompleted(body []byte) (challengeID, goalID string, ok bool) {
	var l challengeList
	if json.Unmarshal(body, &l) != nil {
		return "", "", false
	}
	for _, c := range l.Challenges {
		for _, g := range c.Goals {
			// Absent is null here and "" in the reference implementation.
			if g.Status == "completed" && (len(g.ClaimedAt) == 0 || string(g.ClaimedAt) == "null" || string(g.ClaimedAt) == `""`) {
				return c.ChallengeID, g.GoalID, true
			}
		}
	}
	return "", "", false
}
