package api

import (
	"encoding/json"
	"net/http"

	"google.golang.org/grpc/codes"
)

// Error codes: the reason of an error body's ErrorInfo detail (see errorBody).
const (
	CodeBadRequest          = "BAD_REQUEST"
	CodeRequestTooLarge     = "REQUEST_TOO_LARGE"
	CodeUnauthorized        = "UNAUTHORIZED"
	CodeNotFound            = "NOT_FOUND"
	CodeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	CodeChallengeNotFound   = "CHALLENGE_NOT_FOUND"
	CodeGoalNotFound        = "GOAL_NOT_FOUND"
	CodeGoalNotCompleted    = "GOAL_NOT_COMPLETED"
	CodeGoalNotActive       = "GOAL_NOT_ACTIVE"
	CodePrerequisitesNotMet = "PREREQUISITES_NOT_MET"
	CodeAlreadyClaimed      = "ALREADY_CLAIMED"
	CodeClaimInProgress     = "CLAIM_IN_PROGRESS"
	CodeRewardFailed        = "REWARD_FAILED"
	CodeUnavailable         = "SERVICE_UNAVAILABLE"
	CodeInternal            = "INTERNAL"
	CodeNotImplemented      = "NOT_IMPLEMENTED"
)

// errorBody is the error shape of the reference's gRPC gateway, {"code","message","details"}: code is
// the gRPC status code its gateway maps to the same HTTP status. The details hold one
// google.rpc.ErrorInfo whose reason is this service's error code (the reference sends []), so a
// client keeps a machine-readable reason in a shape gateway clients already parse.
type errorBody struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Details []errorDetail `json:"details"`
}

type errorDetail struct {
	Type   string `json:"@type"`
	Reason string `json:"reason"`
	Domain string `json:"domain"`
}

const (
	errorInfoType = "type.googleapis.com/google.rpc.ErrorInfo"
	errorDomain   = "challenge-service"
)

// grpcCode is the gRPC code the reference answers with for an HTTP status and error code (its
// gateway's mapping, run backwards: 400 is InvalidArgument, or FailedPrecondition for a goal not
// ready to claim; 409 AlreadyExists; ...).
func grpcCode(status int, code string) codes.Code {
	switch code {
	case CodeGoalNotCompleted, CodePrerequisitesNotMet, CodeGoalNotActive:
		return codes.FailedPrecondition
	case CodeRewardFailed:
		return codes.Internal // the reference's answer when the reward platform fails
	}
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusNotFound:
		return codes.NotFound
	case http.StatusConflict:
		return codes.AlreadyExists
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return codes.Unimplemented
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	}
	return codes.Internal
}

var contentTypeJSON = []string{"application/json"}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(errorBody{
		Code: int(grpcCode(status, code)), Message: msg,
		Details: []errorDetail{{Type: errorInfoType, Reason: code, Domain: errorDomain}},
	})
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
