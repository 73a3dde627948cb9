// Package challenges holds the challenge catalog read from challenges.json: the model,
// its validation, and the indexes both the service and the event handler need.
package challenges

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
)

// Event sources a goal can be driven by.
const (
	SourceLogin     = "login"
	SourceStatistic = "statistic"
)

// LoginStatKey is the stat key under which login counts are stored. Stat codes cannot contain '@',
// so a statistic event named like the login goals' statCode can never overwrite the login counter.
const LoginStatKey = "@login"

// Reward types of the AGS platform.
const (
	RewardItem   = "ITEM"
	RewardWallet = "WALLET"
)

type Catalog struct {
	Challenges []Challenge `json:"challenges"`

	goals      map[string]*Goal
	byStatKey  map[string][]*Goal
	challenges map[string]*Challenge
}

type Challenge struct {
	ChallengeID string `json:"challengeId"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Goals       []Goal `json:"goals"`
}

type Goal struct {
	GoalID        string      `json:"goalId"`
	Name          string      `json:"name"`
	Description   string      `json:"description"`
	EventSource   string      `json:"eventSource"`
	Requirement   Requirement `json:"requirement"`
	Reward        Reward      `json:"reward"`
	Prerequisites []string    `json:"prerequisites"`

	// ChallengeID is filled from the enclosing challenge.
	ChallengeID string `json:"-"`
}

type Requirement struct {
	StatCode    string `json:"statCode"`
	Operator    string `json:"operator"`
	TargetValue int64  `json:"targetValue"`
}

type Reward struct {
	Type     string `json:"type"`
	RewardID string `json:"rewardId"`
	Quantity int64  `json:"quantity"`
}

// StatKey is the key of the per-user value this goal's progress derives from.
func (g *Goal) StatKey() string {
	if g.EventSource == SourceLogin {
		return LoginStatKey
	}
	return g.Requirement.StatCode
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$`)

// Load reads and validates a catalog file.
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("challenge config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("challenge config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a catalog; unknown fields are refused so typos surface.
func Parse(data []byte) (*Catalog, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if err := c.index(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Catalog) index() error {
	if len(c.Challenges) == 0 {
		return fmt.Errorf("no challenges defined")
	}
	c.goals = map[string]*Goal{}
	c.byStatKey = map[string][]*Goal{}
	c.challenges = map[string]*Challenge{}
	for ci := range c.Challenges {
		ch := &c.Challenges[ci]
		where := fmt.Sprintf("challenges[%d]", ci)
		if !idPattern.MatchString(ch.ChallengeID) {
			return fmt.Errorf("%s.challengeId %q: must match %s", where, ch.ChallengeID, idPattern)
		}
		where = fmt.Sprintf("challenge %q", ch.ChallengeID)
		if _, dup := c.challenges[ch.ChallengeID]; dup {
			return fmt.Errorf("%s: duplicate challengeId", where)
		}
		c.challenges[ch.ChallengeID] = ch
		if len(ch.Goals) == 0 {
			return fmt.Errorf("%s: no goals", where)
		}
		for gi := range ch.Goals {
			g := &ch.Goals[gi]
			g.ChallengeID = ch.ChallengeID
			if err := validateGoal(g); err != nil {
				return fmt.Errorf("%s, goals[%d] (%q): %w", where, gi, g.GoalID, err)
			}
			if _, dup := c.goals[g.GoalID]; dup {
				return fmt.Errorf("%s, goal %q: duplicate goalId (goal ids are unique across challenges)", where, g.GoalID)
			}
			c.goals[g.GoalID] = g
			c.byStatKey[g.StatKey()] = append(c.byStatKey[g.StatKey()], g)
		}
	}
	for _, g := range c.goals {
		for _, p := range g.Prerequisites {
			if _, ok := c.goals[p]; !ok {
				return fmt.Errorf("challenge %q, goal %q: prerequisite %q is not a known goal", g.ChallengeID, g.GoalID, p)
			}
			if p == g.GoalID {
				return fmt.Errorf("challenge %q, goal %q: a goal cannot be its own prerequisite", g.ChallengeID, g.GoalID)
			}
		}
	}
	for _, gs := range c.byStatKey {
		sort.Slice(gs, func(i, j int) bool { return gs[i].Requirement.TargetValue < gs[j].Requirement.TargetValue })
	}
	return nil
}

func validateGoal(g *Goal) error {
	switch {
	case !idPattern.MatchString(g.GoalID):
		return fmt.Errorf("goalId: must match %s", idPattern)
	case g.EventSource != SourceLogin && g.EventSource != SourceStatistic:
		return fmt.Errorf("eventSource %q: want %q or %q", g.EventSource, SourceLogin, SourceStatistic)
	case g.Requirement.StatCode == "" || !idPattern.MatchString(g.Requirement.StatCode):
		return fmt.Errorf("requirement.statCode %q: must match %s", g.Requirement.StatCode, idPattern)
	case g.Requirement.Operator != ">=":
		return fmt.Errorf("requirement.operator %q: only \">=\" is supported", g.Requirement.Operator)
	case g.Requirement.TargetValue <= 0:
		return fmt.Errorf("requirement.targetValue %d: must be positive", g.Requirement.TargetValue)
	case g.Reward.Type != RewardItem && g.Reward.Type != RewardWallet:
		return fmt.Errorf("reward.type %q: want %q or %q", g.Reward.Type, RewardItem, RewardWallet)
	case g.Reward.RewardID == "":
		return fmt.Errorf("reward.rewardId: required")
	case g.Reward.Quantity <= 0:
		return fmt.Errorf("reward.quantity %d: must be positive", g.Reward.Quantity)
	}
	return nil
}

// Goal returns a goal by id.
func (c *Catalog) Goal(id string) (*Goal, bool) { g, ok := c.goals[id]; return g, ok }

// Challenge returns a challenge by id.
func (c *Catalog) Challenge(id string) (*Challenge, bool) { ch, ok := c.challenges[id]; return ch, ok }

// GoalsForStatKey returns the goals driven by a stat key, ordered by target value.
func (c *Catalog) GoalsForStatKey(key string) []*Goal { return c.byStatKey[key] }

// StatKeys lists every stat key that drives at least one goal, sorted.
func (c *Catalog) StatKeys() []string {
	keys := make([]string, 0, len(c.byStatKey))
	for k := range c.byStatKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NumGoals is the number of goals over all challenges.
func (c *Catalog) NumGoals() int { return len(c.goals) }
