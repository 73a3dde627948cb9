package loadgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
)

const (
	AuthBearer     = "bearer"
	AuthMockHeader = "mock-header"
)

// Users is the user pool and the auth applied per request.
type Users struct {
	ids    []string
	pick   []string // ids minus the reserved users
	tokens map[string]string
	auth   string
}

// loadUsers reads the users file (JSON array of ids) and the tokens file
// (JSON array aligned with users, or object user -> token).
func loadUsers(p *Plan) (*Users, error) {
	u := &Users{auth: p.Auth}
	if p.Fixtures.Users != "" {
		b, err := os.ReadFile(p.resolve(p.Fixtures.Users))
		if err != nil {
			return nil, planErr("fixtures.users: %v", err)
		}
		if err := json.Unmarshal(b, &u.ids); err != nil {
			return nil, planErr("fixtures.users: want a JSON array of user ids: %v", err)
		}
	} else {
		n := p.Fixtures.GenerateUsers
		if n == 0 {
			n = 10000
		}
		for i := 1; i <= n; i++ {
			u.ids = append(u.ids, fmt.Sprintf("user-%06d", i))
		}
	}
	if len(u.ids) == 0 {
		return nil, planErr("fixtures.users: no users")
	}
	if p.Fixtures.Tokens != "" {
		b, err := os.ReadFile(p.resolve(p.Fixtures.Tokens))
		if err != nil {
			return nil, planErr("fixtures.tokens: %v", err)
		}
		u.tokens = map[string]string{}
		var arr []string
		if err := json.Unmarshal(b, &arr); err == nil {
			if len(arr) != len(u.ids) {
				return nil, planErr("fixtures.tokens: %d tokens for %d users (arrays must align)", len(arr), len(u.ids))
			}
			for i, id := range u.ids {
				u.tokens[id] = arr[i]
			}
		} else if err := json.Unmarshal(b, &u.tokens); err != nil {
			return nil, planErr("fixtures.tokens: want a JSON array or an object user->token")
		}
		if p.Auth == AuthBearer {
			for _, id := range u.ids {
				if u.tokens[id] == "" {
					return nil, planErr("fixtures.tokens: no token for user %q", id)
				}
			}
		}
	}
	u.pick = u.ids
	return u, nil
}

// reserve removes users (ScenarioContext.ReserveUsers) from the random pool so
// other scenarios do not change the state their owner waits for.
func (u *Users) reserve(ids ...string) {
	skip := map[string]bool{}
	for _, id := range ids {
		skip[id] = true
	}
	var keep []string
	for _, id := range u.ids {
		if !skip[id] {
			keep = append(keep, id)
		}
	}
	if len(keep) > 0 {
		u.pick = keep
	}
}

// All returns every user id of the fixture.
func (u *Users) All() []string { return u.ids }

// Pick returns a uniformly random user.
func (u *Users) Pick(r *rand.Rand) string { return u.pick[r.IntN(len(u.pick))] }

func (u *Users) authorize(h http.Header, user string) {
	if u.auth == AuthBearer {
		h["Authorization"] = []string{"Bearer " + u.tokens[user]}
		return
	}
	h["X-Mock-User-Id"] = []string{user}
}
