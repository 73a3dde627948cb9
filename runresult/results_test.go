package runresult

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The field names are the recorded files' format: this pins every key the suite writes.
func TestLevelResultKeys(t *testing.T) {
	side := &Side{TargetRate: 1}
	l := LevelResult{
		Level: "x", RPS: 1, EPS: 1, API: side, Events: side, E2E: &E2EStats{}, Resources: map[string]ResourceRow{"r": {}},
		Flush: &FlushStats{}, Integrity: &Integrity{Problems: []string{"p"}},
		TopCPU: map[string][]TopFunc{"r": {{}}}, TopAlloc: map[string][]TopFunc{}, TopMutex: map[string][]TopFunc{"r": nil},
		DB: &DBAnalysis{}, Verdict: VerdictPass, Reasons: []string{"why"}, Dir: "d",
	}
	data, err := json.Marshal(ScenarioResult{Levels: []LevelResult{l}, MaxRPS: 1, MaxEPS: 1, StoppedAt: "s", StopReasons: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, key := range []string{
		`"scenario":`, `"profile":`, `"levels":`, `"max_sustainable":`, `"max_rps":1`, `"max_eps":1`, `"stopped_at":`, `"stop_reasons":`,
		`"level":`, `"rps":1`, `"eps":1`, `"duration_sec":`, `"api":{`, `"events":{`, `"e2e":{`, `"resources":{`, `"flush":{`,
		`"loadgen":{`, `"integrity":{`, `"top_cpu":{`, `"top_mutex":{`, `"db":{`, `"verdict":"pass"`, `"reasons":`, `"dir":"d"`,
		`"target_rate":`, `"achieved_rate":`, `"offered":`, `"completed":`, `"dropped":`, `"requests":`, `"p50_ms":`, `"p95_ms":`,
		`"p99_ms":`, `"max_ms":`, `"error_rate":`, `"probes":`, `"failed_rate":`, `"flush_interval":`,
		`"flushes":`, `"avg_ms":`, `"avg_entries":`, `"errors":`, `"max_buffer_entries_seen":`,
		`"cpu_avg_pct":`, `"cpu_max_pct":`, `"mem_max_mib":`, `"mem_limit_mib":`, `"throttled_periods":`,
		`"events_acked":`, `"events_uncertain":`, `"users_checked":`, `"values_checked":`, `"lost":`, `"extra":`,
		`"extra_explained_by_uncertain_events":`, `"completions_consistent":`, `"api_users_checked":`, `"problems":`, `"ok":`,
	} {
		if !strings.Contains(got, key) {
			t.Errorf("result.json lacks %s:\n%s", key, got)
		}
	}
	if strings.Contains(got, `"top_alloc"`) {
		t.Error("an empty top_alloc is written")
	}
}

// tuning/result.json was written as map[string]any{"profile": ..., "rows": ...}: the struct
// must encode byte-identically.
func TestTuningFileEncodesAsTheMapDid(t *testing.T) {
	rows := []TuningRow{{Param: "DB_MAX_OPEN_CONNS", Value: "10", VerdictReasons: []string{"why"}, Dir: "d"}, {Param: "P"}}
	for _, profile := range []string{"nightly", ""} {
		for _, rs := range [][]TuningRow{rows, nil} {
			want, _ := json.MarshalIndent(map[string]any{"profile": profile, "rows": rs}, "", "  ")
			got, _ := json.MarshalIndent(TuningFile{Profile: profile, Rows: rs}, "", "  ")
			if string(got) != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		}
	}
}

func TestReaders(t *testing.T) {
	dir := t.TempDir()
	if _, found, err := ReadScenarioResult(dir); found || err != nil {
		t.Fatalf("missing result.json: found %v, err %v", found, err)
	}
	if tf, err := ReadTuning(dir); tf != nil || err != nil {
		t.Fatalf("missing tuning: %v, %v", tf, err)
	}
	write := func(path, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "result.json"), `{"scenario":"scenario1","levels":[{"level":"50 RPS","rps":50,"verdict":"pass",
		"db":{"tables":[{"table":"user_stats","last_autovacuum":null}]},"loadgen":{"cpu_cores_used":0.5}}]}`)
	r, found, err := ReadScenarioResult(dir)
	if err != nil || !found || r.Scenario != "scenario1" || len(r.Levels) != 1 || r.Levels[0].RPS != 50 ||
		r.Levels[0].Loadgen.CPUCores != 0.5 || r.Levels[0].DB.Tables[0].Table != "user_stats" {
		t.Fatalf("got %+v, %v, %v", r, found, err)
	}
	write(filepath.Join(dir, "rps-50", "level.json"), `{"level":"50 RPS",`)
	if _, _, err := ReadLevel(filepath.Join(dir, "rps-50")); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
		t.Fatalf("broken level.json: %v", err)
	}
	write(filepath.Join(dir, "tuning", "result.json"), `{"profile":"nightly","duration_per_level":"2m0s","rows":[{"param":"P","e2e_p99_ms":3,"verdict_reasons":["x"]}]}`)
	tf, err := ReadTuning(dir)
	if err != nil || tf.Profile != "nightly" || tf.DurationPerLevel != "2m0s" || len(tf.Rows) != 1 || tf.Rows[0].E2EP99ms != 3 || tf.Rows[0].VerdictReasons[0] != "x" {
		t.Fatalf("got %+v, %v", tf, err)
	}
}
