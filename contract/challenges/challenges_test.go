package challenges

import (
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
