package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// Initializer records that a player was initialised (players.Store): when, and whether this call
// was the first.
type Initializer interface {
	Initialize(ctx context.Context, userID, namespace string) (at time.Time, first bool, err error)
}

// initializeResponse is the reference's answer to POST /v1/challenges/initialize.
type initializeResponse struct {
	AssignedGoals  []assignedGoal `json:"assignedGoals"`
	NewAssignments int            `json:"newAssignments"`
	TotalActive    int            `json:"totalActive"`
}

type assignedGoal struct {
	ChallengeID string          `json:"challengeId"`
	GoalID      string          `json:"goalId"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	IsActive    bool            `json:"isActive"`
	AssignedAt  string          `json:"assignedAt"`
	ExpiresAt   string          `json:"expiresAt"`
	Progress    int64           `json:"progress"`
	Target      int64           `json:"target"`
	Status      string          `json:"status"`
	Requirement requirementJSON `json:"requirement"`
	Reward      rewardJSON      `json:"reward"`
}

// handleInitialize assigns the player every configured goal (the catalog refuses goals that are
// not assigned by default): the first call answers newAssignments = the goal count, later calls 0,
// each with every goal's current progress. Idempotent: one row per player, written once.
func (h *handler) handleInitialize(w http.ResponseWriter, r *http.Request) {
	user, ok := h.authenticate(w, r)
	if !ok || !h.readEmptyBody(w, r) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.QueryTimeout)
	defer cancel()
	at, first, err := h.cfg.Players.Initialize(ctx, user, h.cfg.Namespace)
	st := h.states.get()
	defer h.states.put(st)
	if err == nil {
		err = h.cfg.Progress.Load(ctx, user, st)
	}
	if err != nil {
		if errors.Is(r.Context().Err(), context.Canceled) {
			return
		}
		h.log.Error("initialize", "user", user, "err", err)
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable, "player store unavailable; initialize is idempotent, retry")
		return
	}
	writeJSON(w, http.StatusOK, h.initializeBody(st, at.UTC().Format(time.RFC3339Nano), first))
}

func (h *handler) initializeBody(st *progress.State, assignedAt string, first bool) initializeResponse {
	n := h.model.NumGoals()
	out := initializeResponse{AssignedGoals: make([]assignedGoal, n), TotalActive: n}
	if first {
		out.NewAssignments = n
	}
	for i := range n {
		g, p := h.model.Goal(i), st.Goal(i)
		out.AssignedGoals[i] = assignedGoal{
			ChallengeID: g.ChallengeID, GoalID: g.GoalID, Name: g.Name, Description: g.Description,
			IsActive: true, AssignedAt: assignedAt, Progress: p.Progress, Target: g.Requirement.TargetValue,
			Status:      p.Status.String(),
			Requirement: requirementJSON{g.Requirement.StatCode, g.Requirement.Operator, g.Requirement.TargetValue},
			Reward:      rewardJSON{g.Reward.Type, g.Reward.RewardID, g.Reward.Quantity},
		}
	}
	return out
}

// notImplemented answers the reference's per-player assignment calls, which this service does not
// have (every configured goal is assigned to every player), after authenticating like any call.
func (h *handler) notImplemented(call string) http.HandlerFunc {
	msg := call + " is not implemented: every configured goal is assigned to every player and active " +
		"(per-player assignment and rotation are a later milestone; see the service README, Compatibility)"
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := h.authenticate(w, r); ok {
			writeError(w, http.StatusNotImplemented, CodeNotImplemented, msg)
		}
	}
}
