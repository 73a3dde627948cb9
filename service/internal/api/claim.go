package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/claims"
)

// maxClaimBody: clients send nothing, null or {}; anything bigger is not a claim request.
const maxClaimBody = 1 << 10

// maxIDLen matches the catalog's id pattern; longer path ids cannot exist.
const maxIDLen = 128

type claimResponse struct {
	GoalID    string     `json:"goalId"`
	Status    string     `json:"status"`
	Reward    rewardJSON `json:"reward"`
	ClaimedAt time.Time  `json:"claimedAt"`
}

// claimPendingResponse is the 202 answer of a claim in progress: the grant's outcome is not known
// yet (it may still happen), so the goal is neither claimed nor claimable now.
type claimPendingResponse struct {
	GoalID            string     `json:"goalId"`
	Status            string     `json:"status"` // "claiming"
	ErrorCode         string     `json:"errorCode"`
	Message           string     `json:"message"`
	RetryAfterSeconds int        `json:"retryAfterSeconds"`
	ClaimedAt         *time.Time `json:"claimedAt"` // null
}

// responseBounded is implemented by claims.Service: how long a claim's answer may take at most.
type responseBounded interface{ ResponseTimeout() time.Duration }

// retryHinted is implemented by claims.PendingError.
type retryHinted interface{ RetryAfter() time.Duration }

var (
	_ responseBounded = (*claims.Service)(nil)
	_ retryHinted     = (*claims.PendingError)(nil)
)

func (h *handler) handleClaim(w http.ResponseWriter, r *http.Request) {
	// A claim waits for the reward platform and may outlast the server's WriteTimeout; its answer
	// must not be lost to the connection's write deadline, so this route sets its own from the
	// claim's bound (the server clears it after the request).
	if b, ok := h.cfg.Claims.(responseBounded); ok {
		if d := b.ResponseTimeout(); d > 0 {
			if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d)); err != nil {
				h.log.Debug("claim: could not extend the write deadline; the server's WriteTimeout applies", "err", err)
			}
		}
	}
	user, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if !h.readEmptyBody(w, r) {
		return
	}
	challengeID, goalID := r.PathValue("challengeId"), r.PathValue("goalId")
	if len(challengeID) > maxIDLen || len(goalID) > maxIDLen {
		writeError(w, http.StatusNotFound, CodeGoalNotFound, "unknown challenge or goal")
		return
	}
	res, err := h.cfg.Claims.Claim(r.Context(), user, challengeID, goalID)
	if err != nil {
		h.writeClaimError(w, user, challengeID, goalID, err)
		return
	}
	g := res.Goal
	writeJSON(w, http.StatusOK, claimResponse{
		GoalID: g.GoalID, Status: "claimed",
		Reward:    rewardJSON{Type: g.Reward.Type, RewardID: g.Reward.RewardID, Quantity: g.Reward.Quantity},
		ClaimedAt: res.ClaimedAt.UTC(),
	})
}

// readEmptyBody accepts an empty body, null or an empty object (whitespace allowed).
func (h *handler) readEmptyBody(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength > maxClaimBody {
		writeError(w, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "request body must be empty, null or {}")
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxClaimBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeBadRequest, "could not read request body")
		return false
	}
	if len(body) > maxClaimBody {
		writeError(w, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "request body must be empty, null or {}")
		return false
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || string(body) == "null" {
		return true
	}
	var obj map[string]json.RawMessage
	if body[0] == '{' && json.Unmarshal(body, &obj) == nil && len(obj) == 0 {
		return true
	}
	writeError(w, http.StatusBadRequest, CodeBadRequest, "request body must be empty, null or {}")
	return false
}

func (h *handler) writeClaimError(w http.ResponseWriter, user, challengeID, goalID string, err error) {
	switch {
	case errors.Is(err, claims.ErrChallengeNotFound):
		writeError(w, http.StatusNotFound, CodeChallengeNotFound, "unknown challenge")
	case errors.Is(err, claims.ErrGoalNotFound):
		writeError(w, http.StatusNotFound, CodeGoalNotFound, "unknown goal or goal not in this challenge")
	case errors.Is(err, claims.ErrNotActive):
		// The reference's message, which names the call that fixes it.
		writeError(w, http.StatusBadRequest, CodeGoalNotActive, fmt.Sprintf("Goal must be active to claim reward. "+
			"Activate it first via PUT /v1/challenges/%s/goals/%s/active (goal_id: %s)", challengeID, goalID, goalID))
	case errors.Is(err, claims.ErrNotCompleted):
		writeError(w, http.StatusBadRequest, CodeGoalNotCompleted, "goal is not completed")
	case errors.Is(err, claims.ErrPrerequisites):
		writeError(w, http.StatusBadRequest, CodePrerequisitesNotMet, "prerequisite goals are not completed")
	case errors.Is(err, claims.ErrAlreadyClaimed):
		writeError(w, http.StatusConflict, CodeAlreadyClaimed, "goal already claimed")
	case errors.Is(err, claims.ErrInProgress):
		// Also an unknown outcome (claims.ErrRewardUnknown): the grant may have happened, so the
		// claim is accepted and in progress, not failed; a later claim answers 200/409 once known.
		writePending(w, goalID, err)
	case errors.Is(err, claims.ErrRewardFailed):
		writeError(w, http.StatusBadGateway, CodeRewardFailed, "reward platform refused the grant; the goal is still claimable")
	default:
		h.log.Error("claim failed", "user", user, "goal", goalID, "err", err)
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "claim could not be processed; retry later")
	}
}

func writePending(w http.ResponseWriter, goalID string, err error) {
	after := time.Second
	var hint retryHinted
	if errors.As(err, &hint) {
		after = max(after, hint.RetryAfter())
	}
	secs := int(math.Ceil(after.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	msg := "a claim of this goal is in progress; claim again after Retry-After seconds to learn its outcome"
	if errors.Is(err, claims.ErrRewardUnknown) {
		msg = "the reward platform has not confirmed the grant yet (it may still happen); it is completed in the background: claim again after Retry-After seconds to learn the outcome"
	}
	writeJSON(w, http.StatusAccepted, claimPendingResponse{
		GoalID: goalID, Status: "claiming", ErrorCode: CodeClaimInProgress, Message: msg, RetryAfterSeconds: secs,
	})
}
