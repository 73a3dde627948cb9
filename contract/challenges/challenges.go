// Package challenges holds the challenge catalog read from challenges.json: the model,
// its validation, and the indexes both the service and the event handler need.
package challenges

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
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
	warnings   []string
}

type Challenge struct {
	ChallengeID string `json:"challengeId"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Goals       []Goal `json:"goals"`
}

// Goal is one goal. Beyond what this service acts on it reads the reference's (AccelByte
// extend-challenge) per-goal fields, so that service's challenges.json loads unchanged; see
// validateReferenceFields for what is accepted, ignored or refused. The new fields are omitempty
// so catalogs rendered from this type stay as they were.
type Goal struct {
	GoalID      string `json:"goalId"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Type is the reference's legacy goal type ("absolute", "increment", "daily"). Its current
	// version ignores it (requirement.progressMode replaced it), and so do we.
	Type          string      `json:"type,omitempty"`
	EventSource   string      `json:"eventSource"`
	Requirement   Requirement `json:"requirement"`
	Reward        Reward      `json:"reward"`
	Prerequisites []string    `json:"prerequisites"`
	// DefaultAssigned: whether the goal is active for a player who changed nothing. Read it
	// through AssignedByDefault, which decides what absent means.
	DefaultAssigned *bool `json:"defaultAssigned,omitempty"`
	// Daily is the reference's older daily-reset flag; only false is accepted.
	Daily bool `json:"daily,omitempty"`
	// Rotation is accepted only disabled: rotating goals are a later milestone of the reference.
	Rotation *Rotation `json:"rotation,omitempty"`

	// ChallengeID is filled from the enclosing challenge.
	ChallengeID string `json:"-"`
}

type Requirement struct {
	StatCode    string `json:"statCode"`
	Operator    string `json:"operator"`
	TargetValue int64  `json:"targetValue"`
	// ProgressMode "absolute" (or absent) is the only mode implemented; "relative" is refused.
	ProgressMode string `json:"progressMode,omitempty"`
}

type Reward struct {
	Type     string `json:"type"`
	RewardID string `json:"rewardId"`
	Quantity int64  `json:"quantity"`
}

// Rotation is the reference's goal rotation block. It is validated but has no effect: only
// disabled rotations are accepted.
type Rotation struct {
	Enabled  bool      `json:"enabled"`
	Type     string    `json:"type,omitempty"`
	Schedule string    `json:"schedule,omitempty"`
	OnExpiry *OnExpiry `json:"onExpiry,omitempty"`
}

type OnExpiry struct {
	ResetProgress    bool `json:"resetProgress"`
	AllowReselection bool `json:"allowReselection"`
}

// Values of the reference's fields that this package knows.
const (
	ProgressAbsolute = "absolute"
	ProgressRelative = "relative"
	RotationGlobal   = "global"
	legacyIncrement  = "increment"
	legacyDaily      = "daily"
)

var rotationSchedules = []string{"daily", "weekly", "monthly"}

// StatKey is the key of the per-user value this goal's progress derives from.
func (g *Goal) StatKey() string {
	if g.EventSource == SourceLogin {
		return LoginStatKey
	}
	return g.Requirement.StatCode
}

// AssignedByDefault reports whether the goal is active for a player who changed nothing. Absent
// means true here, while the reference reads absent as false (Go's zero bool): our catalogs
// predate the field and every goal in them was always active, so reading absent as false would
// silently switch every goal of those catalogs off.
func (g *Goal) AssignedByDefault() bool { return g.DefaultAssigned == nil || *g.DefaultAssigned }

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
	if err := checkUnknownFields(data); err != nil {
		return nil, err
	}
	// DisallowUnknownFields stays as a backstop should the walk above ever miss a level.
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
	c.warnings = nil
	for ci := range c.Challenges {
		if err := c.indexChallenge(ci); err != nil {
			return err
		}
	}
	if err := c.checkPrerequisites(); err != nil {
		return err
	}
	if err := c.checkSupported(); err != nil {
		return err
	}
	for _, gs := range c.byStatKey {
		sort.Slice(gs, func(i, j int) bool { return gs[i].Requirement.TargetValue < gs[j].Requirement.TargetValue })
	}
	return nil
}

// indexChallenge validates challenge ci and its goals and adds them to the indexes.
func (c *Catalog) indexChallenge(ci int) error {
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
		if w := legacyTypeWarning(g); w != "" {
			c.warnings = append(c.warnings, w)
		}
	}
	return nil
}

func (c *Catalog) checkPrerequisites() error {
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
	return nil
}

// checkSupported refuses the reference features this service does not implement, listing every
// offending goal of the file in one error so a converted catalog is fixed in one pass.
func (c *Catalog) checkSupported() error {
	var offences []string
	for ci := range c.Challenges {
		for gi := range c.Challenges[ci].Goals {
			g := &c.Challenges[ci].Goals[gi]
			if fs := unsupportedFeatures(g); len(fs) > 0 {
				offences = append(offences, fmt.Sprintf("challenge %q, goal %q: %s", g.ChallengeID, g.GoalID, strings.Join(fs, ", ")))
			}
		}
	}
	if len(offences) == 0 {
		return nil
	}
	return fmt.Errorf("catalog uses features this service does not implement (later milestones of the reference): %s "+
		"(relative progress and rotation are the reference's M5 features, the legacy daily flag is not implemented either: "+
		"use requirement.progressMode %q, rotation.enabled false, daily false)",
		strings.Join(offences, "; "), ProgressAbsolute)
}

// unsupportedFeatures names the fields of g that ask for behaviour this service does not have.
func unsupportedFeatures(g *Goal) []string {
	var fs []string
	if g.Daily {
		fs = append(fs, "daily true")
	}
	if g.Requirement.ProgressMode == ProgressRelative {
		fs = append(fs, fmt.Sprintf("requirement.progressMode %q", ProgressRelative))
	}
	if g.Rotation != nil && g.Rotation.Enabled {
		fs = append(fs, "rotation.enabled")
	}
	return fs
}

// legacyTypeWarning tells that a type other than "absolute" has no effect: a catalog author may
// expect "increment" or "daily" to change how progress counts, and it does not (nor in the reference).
func legacyTypeWarning(g *Goal) string {
	if g.Type == "" || g.Type == ProgressAbsolute {
		return ""
	}
	return fmt.Sprintf("challenge %q, goal %q: type %q is ignored, as the reference does since requirement.progressMode replaced it",
		g.ChallengeID, g.GoalID, g.Type)
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
	return validateReferenceFields(g)
}

// validateReferenceFields checks the values of the reference's extra fields are ones it knows.
// Known but unimplemented values pass here; checkSupported refuses them, for the whole file at once.
func validateReferenceFields(g *Goal) error {
	switch g.Type {
	case "", ProgressAbsolute, legacyIncrement, legacyDaily:
	default:
		return fmt.Errorf("type %q: want %q, %q or %q (or absent); it is a legacy field the reference ignores",
			g.Type, ProgressAbsolute, legacyIncrement, legacyDaily)
	}
	switch g.Requirement.ProgressMode {
	case "", ProgressAbsolute, ProgressRelative:
	default:
		return fmt.Errorf("requirement.progressMode %q: want %q or %q (or absent)", g.Requirement.ProgressMode, ProgressAbsolute, ProgressRelative)
	}
	return validateRotation(g.Rotation)
}

func validateRotation(r *Rotation) error {
	switch {
	case r == nil:
		return nil
	case r.Type != "" && r.Type != RotationGlobal:
		return fmt.Errorf("rotation.type %q: want %q (or absent)", r.Type, RotationGlobal)
	case r.Schedule != "" && !slices.Contains(rotationSchedules, r.Schedule):
		return fmt.Errorf("rotation.schedule %q: want one of %q (or absent)", r.Schedule, rotationSchedules)
	}
	return nil
}

// Warnings lists what the catalog asks for that has no effect, one line per goal, for the
// service to log at start-up.
func (c *Catalog) Warnings() []string { return slices.Clone(c.warnings) }

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
