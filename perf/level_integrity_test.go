//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// checkLevelIntegrity adds the level's ground truth to the scenario's truth and compares the
// target's state with it: every stored value in SQL when the database is ours and was reset, else
// through the public API for a sample of users (apiCheckUsers), waiting for it to settle. A check
// that cannot run, or fails, fails the test without stopping it; what it found goes into the
// level's result.
func (e *scenarioEnv) checkLevelIntegrity(ctx context.Context, r *levelRun) error {
	out, dir := &r.out, r.dir
	gt, err := suite.ReadGroundTruth(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		r.Errorf("%s: ground truth: %v", out.Level, err)
		return nil
	}
	cat, err := challenges.Parse(e.fix.ChallengesJSON)
	if err != nil {
		return err
	}
	if err := e.truth.Merge(gt, cat); err != nil {
		r.Errorf("%s: %v", out.Level, err)
		return nil
	}
	var in *runresult.Integrity
	var checked map[string]bool // the users whose state the check read (nil: all)
	if e.canReset && e.db != nil {
		var toks []string
		if err := json.Unmarshal(e.fix.TokensJSON, &toks); err != nil {
			return err
		}
		tokens := make(map[string]string, len(toks))
		for i, u := range e.fix.Users {
			tokens[u] = toks[i]
		}
		in, err = checkIntegrity(ctx, e.db, e.truth, gt, cat, func(u string) error {
			goals, err := e.listGoals(ctx, u, tokens[u])
			if err != nil {
				return err
			}
			return e.truth.CheckUserGoals(u, goals, cat)
		})
	} else {
		in = &runresult.Integrity{EventsAcked: gt.EventsAcked, EventsUncertain: gt.EventsUncertain, ExtraExplained: true}
		var users []string
		users, err = e.checkThroughAPI(ctx, in, cat, 60*time.Second+5*e.cfg.FlushInterval)
		checked = make(map[string]bool, len(users))
		for _, u := range users {
			checked[u] = true
		}
	}
	if err != nil {
		r.Errorf("%s: integrity check: %v", out.Level, err)
		return nil
	}
	// What the check could see: a loss of an event whose effect a later one overwrote cannot show.
	in.ObservableEvents = suite.Observable(gt, checked, cat, in.Method == "api")
	var unproven string
	in.ObservableShare, in.DetectableLossRate, unproven = suite.DetectionPower(in.ObservableEvents, gt.EventsAcked)
	if in.OK && in.Unproven == "" {
		in.Unproven = unproven
	}
	out.Integrity = in
	fail := e.integrityFailed
	if fail == nil {
		fail = func(msg string) { r.Errorf("%s", msg) }
	}
	switch {
	case !in.OK && in.Method == "api":
		fail(fmt.Sprintf("%s: DATA INTEGRITY (through the API): %d of %d users read do not show what the acknowledged events imply after %.0f s:\n  %s",
			out.Level, len(in.Problems), in.APIChecked+len(in.Problems), in.SettledSec, strings.Join(in.Problems, "\n  ")))
	case !in.OK:
		fail(fmt.Sprintf("%s: DATA INTEGRITY: %d values lost, %d extra no uncertain event of their own explains (%d explained by their own; uncertain events %d), completions consistent %v, API users checked %d:\n  %s",
			out.Level, in.Lost, in.Extra, in.Explained, in.EventsUncertain, in.CompletionsOK, in.APIChecked, strings.Join(in.Problems, "\n  ")))
	case in.Method == "api":
		e.t.Logf("level %s: integrity OK through the API: %d acknowledged events; %d users read of %d touched show exactly what they imply (settled after %.1f s); %d events observable (%.0f%%): detects a loss rate ≥ %.3f%% with 95%% confidence%s",
			out.Level, in.EventsAcked, in.APIChecked, in.UsersChecked, in.SettledSec, in.ObservableEvents, 100*in.ObservableShare, 100*in.DetectableLossRate, unprovenText(in))
	default:
		e.t.Logf("level %s: integrity OK: %d acknowledged events, %d users, %d stored values match exactly (%d differ only as an uncertain event of their own user and stat explains); %d events observable (%.0f%%): detects a loss rate ≥ %.3f%% with 95%% confidence%s",
			out.Level, in.EventsAcked, in.UsersChecked, in.ValuesChecked, in.Explained, in.ObservableEvents, 100*in.ObservableShare, 100*in.DetectableLossRate, unprovenText(in))
	}
	return nil
}

func unprovenText(in *runresult.Integrity) string {
	if in.Unproven == "" {
		return ""
	}
	return " — NOT PROVEN: " + in.Unproven
}
