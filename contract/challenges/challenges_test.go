package challenges

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const valid = `{"challenges":[{"challengeId":"c1","name":"C1","description":"d","goals":[
 {"goalId":"g1","name":"n","description":"d","eventSource":"login","requirement":{"statCode":"login_count","operator":">=","targetValue":2},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":10},"prerequisites":[]},
 {"goalId":"g2","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"ITEM","rewardId":"sword","quantity":1},"prerequisites":["g1"]},
 {"goalId":"g3","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":1},"reward":{"type":"ITEM","rewardId":"sword","quantity":1}}]}]}`

func TestParseIndexesGoals(t *testing.T) {
	c, err := Parse([]byte(valid))
	require.NoError(t, err)
	require.Equal(t, 3, c.NumGoals())
	g, ok := c.Goal("g2")
	require.True(t, ok)
	require.Equal(t, "c1", g.ChallengeID)
	require.Equal(t, []string{LoginStatKey, "wins"}, c.StatKeys())
	wins := c.GoalsForStatKey("wins")
	require.Len(t, wins, 2)
	require.Equal(t, "g3", wins[0].GoalID, "goals are ordered by target")
	require.Equal(t, LoginStatKey, c.GoalsForStatKey(LoginStatKey)[0].StatKey())
}

func TestParseErrorsNameTheField(t *testing.T) {
	cases := map[string]struct{ from, to, want string }{
		"bad operator":      {`"operator":">=","targetValue":5`, `"operator":"<","targetValue":5`, `goals[1] ("g2"): requirement.operator`},
		"bad source":        {`"eventSource":"login"`, `"eventSource":"match"`, `eventSource "match"`},
		"zero target":       {`"targetValue":2`, `"targetValue":0`, `targetValue 0`},
		"bad reward":        {`"type":"WALLET"`, `"type":"COIN"`, `reward.type "COIN"`},
		"unknown prereq":    {`["g1"]`, `["nope"]`, `prerequisite "nope"`},
		"duplicate goal":    {`"goalId":"g3"`, `"goalId":"g1"`, `duplicate goalId`},
		"unknown field":     {`"name":"C1"`, `"nmae":"C1"`, `unknown field`},
		"bad id":            {`"challengeId":"c1"`, `"challengeId":"c 1"`, `challengeId`},
		"zero quantity":     {`"quantity":10`, `"quantity":0`, `quantity 0`},
		"missing stat code": {`"statCode":"wins","operator":">=","targetValue":5`, `"statCode":"","operator":">=","targetValue":5`, `statCode`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := strings.Replace(valid, tc.from, tc.to, 1)
			require.NotEqual(t, valid, src, "test case must change the input")
			_, err := Parse([]byte(src))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := Parse([]byte(`{"challenges":[]}`))
	require.ErrorContains(t, err, "no challenges")
}

const referenceFixture = "testdata/reference_format.json"

// referenceWith returns the reference-format fixture with edit applied to the goals it names,
// so each case states only what it changes.
func referenceWith(t *testing.T, edits map[string]func(goal map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(referenceFixture)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	applied := 0
	for _, ch := range doc["challenges"].([]any) {
		for _, g := range ch.(map[string]any)["goals"].([]any) {
			goal := g.(map[string]any)
			if edit, ok := edits[goal["goalId"].(string)]; ok {
				edit(goal)
				applied++
			}
		}
	}
	require.Equal(t, len(edits), applied, "every edit must name a fixture goal")
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return out
}

func set(path string, v any) func(map[string]any) {
	return func(goal map[string]any) {
		keys := strings.Split(path, ".")
		obj := goal
		for _, k := range keys[:len(keys)-1] {
			obj = obj[k].(map[string]any)
		}
		obj[keys[len(keys)-1]] = v
	}
}

func TestLoadReferenceFormat(t *testing.T) {
	c, err := Load(referenceFixture)
	require.NoError(t, err)
	require.Equal(t, 4, c.NumGoals())
	for id, want := range map[string]bool{"login-today": true, "play-three-matches": true, "headshots-20": false, "headshots-100": false} {
		g, ok := c.Goal(id)
		require.True(t, ok, id)
		require.Equal(t, want, g.AssignedByDefault(), id)
	}
	require.Equal(t, []string{
		`challenge "daily-quests", goal "login-today": type "daily" is ignored, as the reference does since requirement.progressMode replaced it`,
	}, c.Warnings())
	g, _ := c.Goal("login-today")
	require.Equal(t, &Rotation{Type: RotationGlobal, Schedule: "daily", OnExpiry: &OnExpiry{ResetProgress: true, AllowReselection: true}}, g.Rotation)
	require.Equal(t, ProgressAbsolute, g.Requirement.ProgressMode)
	require.Equal(t, []string{"headshots-20"}, mustGoal(t, c, "headshots-100").Prerequisites)
}

func mustGoal(t *testing.T, c *Catalog, id string) *Goal {
	t.Helper()
	g, ok := c.Goal(id)
	require.True(t, ok, id)
	return g
}

// Catalogs written before defaultAssigned keep every goal active, and warn about nothing.
func TestOurFormatDefaultsAssigned(t *testing.T) {
	c, err := Parse([]byte(valid))
	require.NoError(t, err)
	for _, id := range []string{"g1", "g2", "g3"} {
		require.True(t, mustGoal(t, c, id).AssignedByDefault(), id)
	}
	require.Empty(t, c.Warnings())
}

func TestReferenceFieldsAcceptedWhenInert(t *testing.T) {
	c, err := Parse(referenceWith(t, map[string]func(map[string]any){
		"login-today":        set("daily", false),
		"play-three-matches": set("type", "increment"),
		"headshots-20":       func(g map[string]any) { delete(g, "type"); delete(g["requirement"].(map[string]any), "progressMode") },
		"headshots-100":      set("rotation", map[string]any{"enabled": false, "schedule": "monthly"}),
	}))
	require.NoError(t, err)
	require.Len(t, c.Warnings(), 2)
	require.Contains(t, c.Warnings()[1], `goal "play-three-matches": type "increment" is ignored`)
}

func TestUnimplementedFeaturesAreRefused(t *testing.T) {
	cases := map[string]struct {
		goal string
		edit func(map[string]any)
		want string
	}{
		"relative progress": {"headshots-20", set("requirement.progressMode", "relative"), `requirement.progressMode "relative"`},
		"rotation enabled":  {"login-today", set("rotation.enabled", true), `rotation.enabled`},
		"legacy daily":      {"play-three-matches", set("daily", true), `daily true`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(referenceWith(t, map[string]func(map[string]any){tc.goal: tc.edit}))
			require.ErrorContains(t, err, "does not implement")
			require.ErrorContains(t, err, fmt.Sprintf("goal %q: %s", tc.goal, tc.want))
			require.ErrorContains(t, err, "M5")
		})
	}
}

func TestUnimplementedFeaturesAreListedInOneError(t *testing.T) {
	_, err := Parse(referenceWith(t, map[string]func(map[string]any){
		"login-today": func(g map[string]any) {
			set("requirement.progressMode", "relative")(g)
			set("rotation.enabled", true)(g)
		},
		"headshots-100": set("daily", true),
	}))
	require.Error(t, err)
	msg := err.Error()
	require.Equal(t, 1, strings.Count(msg, "does not implement"), msg)
	require.Contains(t, msg, `challenge "daily-quests", goal "login-today": requirement.progressMode "relative", rotation.enabled; `+
		`challenge "sharpshooter", goal "headshots-100": daily true`)
}

func TestUnknownFieldNamesPath(t *testing.T) {
	cases := map[string]struct {
		goal string
		edit func(map[string]any)
		want string
	}{
		"goal level":  {"headshots-20", set("foo", 1), `challenges[1].goals[0] (goal "headshots-20"): unknown field "foo"`},
		"requirement": {"play-three-matches", set("requirement.progresMode", "absolute"), `challenges[0].goals[1].requirement (goal "play-three-matches"): unknown field "progresMode"`},
		"on expiry":   {"login-today", set("rotation.onExpiry.reset", true), `challenges[0].goals[0].rotation.onExpiry (goal "login-today"): unknown field "reset"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(referenceWith(t, map[string]func(map[string]any){tc.goal: tc.edit}))
			require.EqualError(t, err, tc.want)
		})
	}
	_, err := Parse([]byte(strings.Replace(valid, `"name":"C1"`, `"nmae":"C1"`, 1)))
	require.EqualError(t, err, `challenges[0] (challenge "c1"): unknown field "nmae"`)
	_, err = Parse([]byte(`{"challenges":[],"version":2}`))
	require.EqualError(t, err, `top level: unknown field "version"`)
}

func TestReferenceFieldValuesAreChecked(t *testing.T) {
	cases := map[string]struct {
		edit func(map[string]any)
		want string
	}{
		"type weekly":       {set("type", "weekly"), `goals[0] ("headshots-20"): type "weekly": want "absolute", "increment" or "daily"`},
		"progress mode":     {set("requirement.progressMode", "delta"), `requirement.progressMode "delta": want "absolute" or "relative"`},
		"rotation schedule": {set("rotation", map[string]any{"enabled": false, "schedule": "hourly"}), `rotation.schedule "hourly"`},
		"rotation type":     {set("rotation", map[string]any{"enabled": false, "type": "per-user"}), `rotation.type "per-user": want "global"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(referenceWith(t, map[string]func(map[string]any){"headshots-20": tc.edit}))
			require.ErrorContains(t, err, `challenge "sharpshooter"`)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
