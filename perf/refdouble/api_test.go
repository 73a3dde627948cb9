package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func writeCatalog(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const refCatalog = `{"challenges":[{"challengeId":"c1","name":"C","description":"d","goals":[
 {"goalId":"g1","name":"n","description":"d","requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":1},"defaultAssigned":true},
 {"goalId":"g2","name":"n","description":"d","requirement":{"statCode":"wins","operator":">=","targetValue":10},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":1},"defaultAssigned":true}]}]}`

// The double's list has the reference's quirks the suite must read: "status" twice per goal and
// "" for absent times.
func TestListHasTheReferencesQuirks(t *testing.T) {
	c, err := loadCatalog(writeCatalog(t, refCatalog))
	require.NoError(t, err)
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	out := string(listJSON(c, map[string]statRow{"wins": {value: 7, max: 7, at: at}}, map[string]time.Time{}))
	g1 := out[strings.Index(out, `"goalId":"g1"`):strings.Index(out, `"goalId":"g2"`)]
	require.Equal(t, 2, strings.Count(g1, `"status":"completed"`))
	require.Contains(t, g1, `"claimedAt":""`)
	require.Contains(t, g1, `"completedAt":"2026-12-01T06:00:00Z"`)
	g2 := out[strings.Index(out, `"goalId":"g2"`):]
	require.Equal(t, 2, strings.Count(g2, `"status":"in_progress"`))
	require.Contains(t, g2, `"progress":7`)
	require.Contains(t, g2, `"completedAt":""`)
}

func TestCatalogWithoutDefaultAssignedIsRefused(t *testing.T) {
	_, err := loadCatalog(writeCatalog(t, strings.ReplaceAll(refCatalog, `,"defaultAssigned":true`, "")))
	require.ErrorContains(t, err, "defaultAssigned")
}
