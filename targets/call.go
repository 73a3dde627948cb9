package targets

import (
	"fmt"
	"net/http"
	"strings"
)

// Call is an HTTP request the suite makes once per user before the load (the per-user set-up some
// implementations need). Path is relative to the API's base URL (base path included).
type Call struct {
	Method string
	Path   string
	Body   string // sent as application/json when not empty
}

func (c Call) String() string {
	s := c.Method + " " + c.Path
	if c.Body != "" {
		s += " " + c.Body
	}
	return s
}

// ParseCall reads PERF_USER_SETUP: "METHOD /path [body]", e.g. `POST /v1/challenges/initialize {}`;
// "none" (or empty) means no call. For compatibility "true" means the old behaviour, one GET of the
// list (implementations that create a user on first read).
func ParseCall(s string) (*Call, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "none", "false":
		return nil, nil
	case "true":
		return &Call{Method: http.MethodGet, Path: "/v1/challenges"}, nil
	}
	method, rest, _ := strings.Cut(s, " ")
	path, body, _ := strings.Cut(strings.TrimSpace(rest), " ")
	method = strings.ToUpper(method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil, fmt.Errorf("PERF_USER_SETUP=%q: want METHOD /path [json body] (GET, POST, PUT or PATCH), e.g. POST /v1/challenges/initialize {}, or none", s)
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("PERF_USER_SETUP=%q: the path must start with / (it is relative to the API base URL)", s)
	}
	body = strings.TrimSpace(body)
	if body != "" && method == http.MethodGet {
		return nil, fmt.Errorf("PERF_USER_SETUP=%q: a GET has no body", s)
	}
	return &Call{Method: method, Path: path, Body: body}, nil
}
