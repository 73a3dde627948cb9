//go:build perf

package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/suite"
)

// The challenge API as the suite itself calls it (set-up, seeding claims, reading state), beside
// the generator.

// apiCall makes one request of the challenge API as user and decodes a 2xx JSON answer into out.
func (e *scenarioEnv) apiCall(ctx context.Context, method, path, body, user, token string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.ep.APIURL+path, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.cfg.AuthMode == "mock-header" {
		req.Header.Set("X-Mock-User-Id", user)
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return &statusError{Code: resp.StatusCode, msg: fmt.Sprintf("%s %s as %s: %s %s", method, path, user, resp.Status, strings.TrimSpace(string(msg)))}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// statusError is an API answer other than 2xx.
type statusError struct {
	Code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// listGoals reads a user's goals through GET /v1/challenges.
func (e *scenarioEnv) listGoals(ctx context.Context, user, token string) ([]suite.APIGoal, error) {
	var body struct {
		Challenges []struct {
			Goals []suite.APIGoal `json:"goals"`
		} `json:"challenges"`
	}
	if err := e.apiCall(ctx, http.MethodGet, "/v1/challenges", "", user, token, &body); err != nil {
		return nil, err
	}
	var goals []suite.APIGoal
	for _, ch := range body.Challenges {
		goals = append(goals, ch.Goals...)
	}
	return goals, nil
}
