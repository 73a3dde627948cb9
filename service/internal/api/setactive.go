package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/assignments"
)

// Assigner stores a player's set-active calls (assignments.Store).
type Assigner interface {
	SetActive(ctx context.Context, c assignments.Change) (assignedAt time.Time, err error)
}

// setActiveRequest is the reference's body. Its gateway reads both the JSON name and the proto
// field name; a body without either is refused here (the reference would read it as false and
// deactivate the goal, which is never what a client that forgot the field meant).
type setActiveRequest struct {
	IsActive      *bool  `json:"isActive"`
	IsActiveProto *bool  `json:"is_active"`
	ChallengeID   string `json:"challengeId"`
	GoalID        string `json:"goalId"`
}

// setActiveResponse is the reference's answer, in its field order.
type setActiveResponse struct {
	ChallengeID string `json:"challengeId"`
	GoalID      string `json:"goalId"`
	IsActive    bool   `json:"isActive"`
	AssignedAt  string `json:"assignedAt"`
	Message     string `json:"message"`
}

const maxSetActiveBody = 4 << 10

// handleSetActive is PUT /v1/challenges/{challengeId}/goals/{goalId}/active: the player activates
// or deactivates one goal. Repeating a call changes nothing (idempotent); concurrent calls for one
// goal serialise in the database, the last one wins.
func (h *handler) handleSetActive(w http.ResponseWriter, r *http.Request) {
	user, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	challengeID, goalID := r.PathValue("challengeId"), r.PathValue("goalId")
	if _, ok := h.cfg.Catalog.Challenge(challengeID); !ok {
		writeError(w, http.StatusNotFound, CodeChallengeNotFound, "unknown challenge")
		return
	}
	g, ok := h.cfg.Catalog.Goal(goalID)
	if !ok || g.ChallengeID != challengeID {
		writeError(w, http.StatusNotFound, CodeGoalNotFound, "unknown goal or goal not in this challenge")
		return
	}
	active, msg := readSetActive(r, challengeID, goalID)
	if msg != "" {
		writeError(w, http.StatusBadRequest, CodeBadRequest, msg)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.QueryTimeout)
	defer cancel()
	at, err := h.cfg.Assignments.SetActive(ctx, assignments.Change{
		UserID: user, Namespace: h.cfg.Namespace, GoalID: goalID, Active: active,
		DefaultActive: g.AssignedByDefault(), StatKey: g.StatKey(), Target: g.Requirement.TargetValue,
	})
	if err != nil {
		if errors.Is(r.Context().Err(), context.Canceled) {
			return
		}
		h.log.Error("set goal active", "user", user, "goal", goalID, "err", err)
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "assignment store unavailable; the call is idempotent, retry")
		return
	}
	resp := setActiveResponse{ChallengeID: challengeID, GoalID: goalID, IsActive: active, Message: "Goal deactivated successfully"}
	if active {
		resp.Message = "Goal activated successfully"
	}
	if !at.IsZero() {
		resp.AssignedAt = at.UTC().Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, resp)
}

// readSetActive decodes the body; a non-empty message says what is wrong with it.
func readSetActive(r *http.Request, challengeID, goalID string) (active bool, msg string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSetActiveBody+1))
	switch {
	case err != nil:
		return false, "could not read request body"
	case len(body) > maxSetActiveBody:
		return false, "request body too large"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req setActiveRequest
	if err := dec.Decode(&req); err != nil {
		return false, `request body must be {"isActive": true|false}: ` + err.Error()
	}
	v := req.IsActive
	if v == nil {
		v = req.IsActiveProto
	}
	switch {
	case v == nil:
		return false, `request body must be {"isActive": true|false}: isActive is missing`
	case req.IsActive != nil && req.IsActiveProto != nil && *req.IsActive != *req.IsActiveProto:
		return false, "isActive and is_active disagree"
	case req.ChallengeID != "" && req.ChallengeID != challengeID, req.GoalID != "" && req.GoalID != goalID:
		return false, "challengeId/goalId in the body disagree with the path"
	}
	return *v, ""
}
