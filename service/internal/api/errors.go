package api

import (
	"encoding/json"
	"net/http"
)

// Error codes of the {"errorCode","message"} error body.
const (
	CodeBadRequest          = "BAD_REQUEST"
	CodeRequestTooLarge     = "REQUEST_TOO_LARGE"
	CodeUnauthorized        = "UNAUTHORIZED"
	CodeNotFound            = "NOT_FOUND"
	CodeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	CodeChallengeNotFound   = "CHALLENGE_NOT_FOUND"
	CodeGoalNotFound        = "GOAL_NOT_FOUND"
	CodeGoalNotCompleted    = "GOAL_NOT_COMPLETED"
	CodePrerequisitesNotMet = "PREREQUISITES_NOT_MET"
	CodeAlreadyClaimed      = "ALREADY_CLAIMED"
	CodeClaimInProgress     = "CLAIM_IN_PROGRESS"
	CodeRewardFailed        = "REWARD_FAILED"
	CodeUnavailable         = "SERVICE_UNAVAILABLE"
	CodeInternal            = "INTERNAL"
)

type errorBody struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

var contentTypeJSON = []string{"application/json"}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(errorBody{ErrorCode: code, Message: msg})
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h.Del("Content-Length")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, CodeInternal, "response encoding failed")
		return
	}
	w.Header()["Content-Type"] = contentTypeJSON
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
