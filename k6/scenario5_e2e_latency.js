// Scenario 5 (TECH_SPEC_M2): end-to-end latency, measured instead of computed from the flush
// interval. One probe VU repeatedly gives a probe user a new stat value over gRPC and polls
// GET /v1/challenges until the watched goal's progress shows that value; the time from the
// event's acknowledgement to the first response showing it goes into the Trend `e2e_latency`
// (polls per probe: `e2e_polls`; probes that time out or fail: Rate `e2e_failed`). Background
// event load (scenario 2's mix, TARGET_EPS, 0 = none) runs alongside and never touches the probe
// user.
//
//   k6 run -e TARGET_EPS=1000 --summary-export=results/s5.json k6/scenario5_e2e_latency.js
//
// The watched goal is, by default, the enemy_kills goal with the largest target (500). Progress
// is capped at the target and a goal whose stat reaches it is completed for good, so probe values
// stay below the target: each probe sends progress+1, wrapping back to 1 before the target (the
// handler keeps the latest value by event timestamp, so a lower value is applied as well).
//
// Env: BASE_URL, EVENT_HANDLER_ADDR, NAMESPACE, AUTH_MODE, TOKENS_FILE, USERS_FILE as in the other
// scenarios; TARGET_EPS (1000), DURATION (5m), PROBE_USER (the last user of USERS_FILE),
// PROBE_STAT_CODE (enemy_kills), PROBE_GOAL_ID (auto), POLL_INTERVAL_MS (50),
// E2E_TIMEOUT_MS (10000), PROBE_PAUSE_MS (1000: random pause 0..1 s between probes, so probes
// sample every phase of the handler's flush cycle). Not executed by this repository's CI: see
// k6/README.md.
import { SharedArray } from 'k6/data';
import { Trend, Rate } from 'k6/metrics';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import {
  cfg, envInt, duration, eventScenario, eventIteration, newEventClient, parseUsers, parseTokens,
  listChallenges, sendStat, API_THRESHOLDS, EVENT_THRESHOLDS, SUMMARY_TREND_STATS,
} from './lib/common.js';

const TARGET_EPS = envInt('TARGET_EPS', 1000);
const DURATION = duration('5m');
const POLL_MS = envInt('POLL_INTERVAL_MS', 50);
const TIMEOUT_MS = envInt('E2E_TIMEOUT_MS', 10000);
const PAUSE_MS = envInt('PROBE_PAUSE_MS', 1000);
const PROBE_STAT = __ENV.PROBE_STAT_CODE || 'enemy_kills';
const PROBE_GOAL = __ENV.PROBE_GOAL_ID || '';

const users = new SharedArray('users', () => parseUsers(open(cfg.usersFile)));
const tokens = cfg.authMode === 'bearer'
  ? new SharedArray('tokens', () => parseTokens(open(cfg.tokensFile), users.length))
  : [];

const PROBE_USER = __ENV.PROBE_USER || users[users.length - 1];
let probeIdx = -1;
for (let i = 0; i < users.length; i++) {
  if (users[i] === PROBE_USER) {
    probeIdx = i;
    break;
  }
}
if (probeIdx < 0 && cfg.authMode === 'bearer') {
  throw new Error(`PROBE_USER ${PROBE_USER} is not in USERS_FILE, so it has no token (use AUTH_MODE=mock-header or a fixture user)`);
}
// The probe's requests authenticate as the probe user: index into users/tokens, or for a user
// outside the fixture (mock-header mode only) a one-user fixture.
const probeFx = probeIdx >= 0 ? { users, tokens } : { users: [PROBE_USER], tokens: [] };
const probeAuthIdx = probeIdx >= 0 ? probeIdx : 0;

const client = newEventClient();

const e2eLatency = new Trend('e2e_latency', true);
const e2ePolls = new Trend('e2e_polls');
const e2eFailed = new Rate('e2e_failed');

const scenarios = {
  e2e: {
    executor: 'constant-vus',
    vus: 1, // one prober: its state (watched goal, last value) lives in this VU
    duration: DURATION,
    exec: 'e2eProbe',
  },
};
if (TARGET_EPS > 0) {
  scenarios.background_events = eventScenario(TARGET_EPS, DURATION, 'backgroundEvents');
}

export const options = {
  scenarios: scenarios,
  thresholds: Object.assign({}, API_THRESHOLDS, EVENT_THRESHOLDS, {
    e2e_failed: ['rate<0.01'],
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function backgroundEvents() {
  eventIteration(client, users, probeIdx);
}

// --- the probe (one VU) ---

let watched = null; // { challengeId, goalId, target } once chosen

// probeGoal returns the watched goal's current state from a GET /v1/challenges response body,
// choosing the goal on first use (PROBE_GOAL_ID, else the PROBE_STAT_CODE goal with the largest
// target that is not completed yet).
function probeGoal(body) {
  let data;
  try {
    data = JSON.parse(body);
  } catch (e) {
    return null;
  }
  const challenges = data.challenges || [];
  if (watched === null) {
    for (const c of challenges) {
      for (const g of c.goals || []) {
        const req = g.requirement || {};
        const isOpen = g.status === 'not_started' || g.status === 'in_progress';
        const pick = PROBE_GOAL
          ? g.goalId === PROBE_GOAL
          : req.statCode === PROBE_STAT && isOpen && (watched === null || req.targetValue > watched.target);
        if (pick) watched = { challengeId: c.challengeId, goalId: g.goalId, target: req.targetValue };
      }
    }
    if (watched === null) {
      exec.test.abort(`e2e: no open ${PROBE_STAT} goal${PROBE_GOAL ? ' ' + PROBE_GOAL : ''} for probe user ${PROBE_USER}: ` +
        'its goals may be completed by an earlier run; set PROBE_USER to a fresh user or reset the database');
    }
  }
  for (const c of challenges) {
    for (const g of c.goals || []) {
      if (g.goalId === watched.goalId) return { progress: g.progress, status: g.status };
    }
  }
  return null;
}

function getProbe() {
  const r = listChallenges(probeFx, probeAuthIdx, 'GET /v1/challenges (e2e)');
  if (r.status !== 200) return null;
  return probeGoal(r.body);
}

function failProbe(msg) {
  e2eFailed.add(1);
  check(null, { 'e2e: value visible in API': () => false });
  console.warn(`e2e probe: ${msg}`);
}

export function e2eProbe() {
  const before = getProbe();
  if (before === null) {
    failProbe('GET /v1/challenges for the probe user failed');
  } else if (before.status === 'completed' || before.status === 'claimed') {
    exec.test.abort(`e2e: watched goal ${watched.goalId} of ${PROBE_USER} is ${before.status}; its progress can no longer move`);
  } else if (watched.target < 3) {
    exec.test.abort(`e2e: watched goal ${watched.goalId} has target ${watched.target}; pick a goal with a target of at least 3`);
  } else {
    // A value different from what the API shows now, strictly below the target.
    let v = before.progress + 1;
    if (v >= watched.target) v = 1;
    if (!sendStat(client, PROBE_USER, PROBE_STAT, v, 'statItemUpdated (e2e)')) {
      failProbe(`stat event (value ${v}) not acknowledged`);
    } else {
      const acked = Date.now();
      for (let polls = 1; ; polls++) {
        const now = getProbe();
        if (now !== null && now.progress === v) {
          e2eLatency.add(Date.now() - acked);
          e2ePolls.add(polls);
          e2eFailed.add(0);
          check(null, { 'e2e: value visible in API': () => true });
          break;
        }
        if (Date.now() + POLL_MS > acked + TIMEOUT_MS) {
          failProbe(`value ${v} of ${PROBE_STAT} not visible after ${TIMEOUT_MS} ms`);
          break;
        }
        sleep(POLL_MS / 1000);
      }
    }
  }
  sleep((Math.random() * PAUSE_MS) / 1000);
}
