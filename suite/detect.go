package suite

import (
	"fmt"
	"math"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// PromisedLossRate is the smallest share of acknowledged events lost that a level's integrity
// check must be able to detect with 95% confidence (1 in 500); a check that saw too few events
// whose loss would show cannot prove integrity, and its level is integrity_not_proven.
const PromisedLossRate = 0.002

// DetectableLossRate is the smallest loss rate a check that observed m events detects with 95%
// confidence: with each acknowledged event lost independently at rate p, no observed event shows
// a loss with probability (1 − p)^m, which is 5% at p = 1 − 0.05^(1/m). 1 when m is 0.
func DetectableLossRate(m int64) float64 {
	if m <= 0 {
		return 1
	}
	return 1 - math.Pow(0.05, 1/float64(m))
}

// Observable counts a level's acknowledged events whose loss the end state would show, for the
// users the check read (nil: all). An absolute stat shows only its deciding event (a lost earlier
// one is overwritten by a later one), and only while a goal of it is still open (a completed
// goal's progress is not compared); every login counts (logins add up), through the API only
// while the user's login goals are open (byAPI). Stats that drive no goal are not stored at all.
func Observable(gt *GroundTruth, users map[string]bool, cat *challenges.Catalog, byAPI bool) int64 {
	targets := maxTargets(cat)
	loginTarget := targets[challenges.LoginStatKey]
	var m int64
	for user, u := range gt.Users {
		if users != nil && !users[user] {
			continue
		}
		if loginTarget > 0 && (!byAPI || float64(u.Logins) < loginTarget) {
			m += int64(u.Logins)
		}
		for code, s := range u.Stats {
			if t := targets[code]; s.Acked && t > 0 && (!byAPI || s.Max < t) {
				m++
			}
		}
	}
	return m
}

// maxTargets is each stat key's largest goal target (absent: the key drives no goal).
func maxTargets(cat *challenges.Catalog) map[string]float64 {
	out := map[string]float64{}
	for _, key := range cat.StatKeys() {
		for _, g := range cat.GoalsForStatKey(key) {
			out[key] = math.Max(out[key], float64(g.Requirement.TargetValue))
		}
	}
	return out
}

// DetectionPower states what a check could see: observable of acked events, the loss rate it
// detects with 95% confidence, and why it proves nothing ("" when it reaches PromisedLossRate).
func DetectionPower(observable, acked int64) (share, detectable float64, unproven string) {
	if acked > 0 {
		share = float64(observable) / float64(acked)
	}
	detectable = DetectableLossRate(observable)
	if acked > 0 && detectable > PromisedLossRate {
		unproven = fmt.Sprintf("the check could observe %d of %d acknowledged events (%.1f%%): it detects a loss rate of %.2f%% or more with 95%% confidence, above the %.1f%% it must catch (more events per level, or every touched user read, see PERF_API_CHECK_USERS)",
			observable, acked, 100*share, 100*detectable, 100*PromisedLossRate)
	}
	return share, detectable, unproven
}
