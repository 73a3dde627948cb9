package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// apiHandler serves the reference's REST shape under base, auth off (X-Mock-User-Id).
func apiHandler(s *store, base string) http.Handler {
	mux := http.NewServeMux()
	user := func(w http.ResponseWriter, r *http.Request) (string, bool) {
		u := r.Header.Get("X-Mock-User-Id")
		if u == "" {
			http.Error(w, `{"errorCode":"UNAUTHORIZED"}`, http.StatusUnauthorized)
			return "", false
		}
		return u, true
	}
	mux.HandleFunc("POST "+base+"/v1/challenges/initialize", func(w http.ResponseWriter, r *http.Request) {
		u, ok := user(w, r)
		if !ok {
			return
		}
		if err := s.initialise(r.Context(), u); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	})
	mux.HandleFunc("GET "+base+"/v1/challenges", func(w http.ResponseWriter, r *http.Request) {
		u, ok := user(w, r)
		if !ok {
			return
		}
		stats, claims, err := s.userState(r.Context(), u)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(listJSON(s.cat, stats, claims))
	})
	mux.HandleFunc("POST "+base+"/v1/challenges/{cid}/goals/{gid}/claim", func(w http.ResponseWriter, r *http.Request) {
		u, ok := user(w, r)
		if !ok {
			return
		}
		g, known := s.cat.goals[r.PathValue("gid")]
		if !known || g.challengeID != r.PathValue("cid") {
			http.Error(w, `{"errorCode":"GOAL_NOT_FOUND"}`, http.StatusNotFound)
			return
		}
		stats, _, err := s.userState(r.Context(), u)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if stats[g.Requirement.StatCode].max < g.Requirement.TargetValue {
			http.Error(w, `{"errorCode":"GOAL_NOT_COMPLETED"}`, http.StatusBadRequest)
			return
		}
		at, err := s.claim(r.Context(), u, g.GoalID)
		if errors.Is(err, errAlreadyClaimed) {
			http.Error(w, `{"errorCode":"ALREADY_CLAIMED"}`, http.StatusConflict)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"goalId":%q,"status":"claimed","reward":%s,"claimedAt":%q}`, g.GoalID, rawOr(g.Reward), at.UTC().Format(time.RFC3339))
	})
	return mux
}

// listJSON writes the list as the reference does: every goal of the catalog, "status" twice in
// each goal object, "" for absent times (written by hand: encoding/json cannot repeat a key).
func listJSON(c *catalog, stats map[string]statRow, claims map[string]time.Time) []byte {
	var b strings.Builder
	b.WriteString(`{"challenges":[`)
	for i, ch := range c.Challenges {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"challengeId":%q,"name":%q,"description":%q,"goals":[`, ch.ChallengeID, ch.Name, ch.Description)
		for j, g := range ch.Goals {
			if j > 0 {
				b.WriteByte(',')
			}
			st := stats[g.Requirement.StatCode]
			status, progress, completedAt, claimedAt := "not_started", math.Floor(st.value), "", ""
			switch {
			case st.max >= g.Requirement.TargetValue:
				status, progress, completedAt = "completed", g.Requirement.TargetValue, st.at.UTC().Format(time.RFC3339)
				if at, ok := claims[g.GoalID]; ok {
					status, claimedAt = "claimed", at.UTC().Format(time.RFC3339)
				}
			case st.value > 0:
				status = "in_progress"
			}
			req, _ := json.Marshal(g.Requirement)
			pre, _ := json.Marshal(g.Prerequisites)
			if g.Prerequisites == nil {
				pre = []byte("[]")
			}
			fmt.Fprintf(&b, `{"goalId":%q,"name":%q,"description":%q,"status":%q,"requirement":%s,"reward":%s,"prerequisites":%s,"progress":%d,"status":%q,"completedAt":%q,"claimedAt":%q}`,
				g.GoalID, g.Name, g.Description, status, req, rawOr(g.Reward), pre, int64(progress), status, completedAt, claimedAt)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func rawOr(r json.RawMessage) string {
	if len(r) == 0 {
		return "null"
	}
	return string(r)
}
