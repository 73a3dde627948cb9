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

// handleInitialize is the reference's first call of a player: it answers the goals active for the
// player (the catalog's defaultAssigned ones unless the player changed them) with their progress;
// the first call answers newAssignments = the default-assigned count, later calls 0. Idempotent:
// one row per player, written once (a goal assigned by default needs no row per player here).
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

func (h *handler) initializeBody(st *progress.State, initializedAt string, first bool) initializeResponse {
	out := initializeResponse{AssignedGoals: []assignedGoal{}}
	for i := range h.model.NumGoals() {
		g := h.model.Goal(i)
		if first && g.AssignedByDefault() {
			out.NewAssignments++
		}
		if !st.Active(i) {
			continue
		}
		p := st.Goal(i)
		assignedAt := initializedAt
		if at := st.AssignedAt(i); !at.IsZero() {
			assignedAt = at.UTC().Format(time.RFC3339Nano)
		}
		out.AssignedGoals = append(out.AssignedGoals, assignedGoal{
			ChallengeID: g.ChallengeID, GoalID: g.GoalID, Name: g.Name, Description: g.Description,
			IsActive: true, AssignedAt: assignedAt, Progress: p.Progress, Target: g.Requirement.TargetValue,
			Status:      p.Status.String(),
			Requirement: requirementJSON{g.Requirement.StatCode, g.Requirement.Operator, g.Requirement.TargetValue},
			Reward:      rewardJSON{g.Reward.Type, g.Reward.RewardID, g.Reward.Quantity},
		})
	}
	out.TotalActive = len(out.AssignedGoals)
	return out
}

// notImplemented answers the reference's goal-selection and rotation calls, which this service does
// not have, after authenticating like any call.
func (h *handler) notImplemented(call string) http.HandlerFunc {
	msg := call + " is not implemented: goal selection and rotation are later milestones of the reference; " +
		"activate goals one by one with PUT /v1/challenges/{challengeId}/goals/{goalId}/active " +
		"(see the service README, Compatibility)"
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := h.authenticate(w, r); ok {
			writeError(w, http.StatusNotImplemented, CodeNotImplemented, msg)
		}
	}
}
