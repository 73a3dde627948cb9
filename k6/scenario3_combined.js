// Scenario 3 (TECH_SPEC_M2): API and event load at the same time (the most important test).
// API: scenario 1's mix at TARGET_RPS; events: scenario 2's mix at TARGET_EPS (at most 500
// concurrent calls). Scenario 4 is this script at one level (e.g. TARGET_RPS=500 TARGET_EPS=2000)
// with PostgreSQL watched on the side (harness/dbsql/analyze_db_performance.sql).
//
//   k6 run -e TARGET_RPS=200 -e TARGET_EPS=1000 --summary-export=results/s3.json k6/scenario3_combined.js
//
// Env: everything of scenarios 1 and 2 (BASE_URL, EVENT_HANDLER_ADDR, TARGET_RPS (200),
// TARGET_EPS (1000), NAMESPACE, DURATION (30m), AUTH_MODE, TOKENS_FILE, USERS_FILE, CLAIM_RATIO,
// GET_ONLY, LOGIN_RATIO). Not executed by this repository's CI: see k6/README.md.
import { SharedArray } from 'k6/data';
import {
  cfg, envInt, duration, apiScenario, eventScenario, apiIteration, eventIteration, newEventClient,
  parseUsers, parseTokens, API_THRESHOLDS, EVENT_THRESHOLDS, SUMMARY_TREND_STATS,
} from './lib/common.js';

const TARGET_RPS = envInt('TARGET_RPS', 200);
const TARGET_EPS = envInt('TARGET_EPS', 1000);
const DURATION = duration('30m');

const users = new SharedArray('users', () => parseUsers(open(cfg.usersFile)));
const tokens = cfg.authMode === 'bearer'
  ? new SharedArray('tokens', () => parseTokens(open(cfg.tokensFile), users.length))
  : [];
const fx = { users, tokens };

// Every VU gets a client (k6 runs the same init code for all VUs); only VUs of the event scenario
// ever connect it.
const client = newEventClient();

export const options = {
  scenarios: {
    api_load: apiScenario(TARGET_RPS, DURATION, 'apiLoad'),
    event_load: eventScenario(TARGET_EPS, DURATION, 'eventLoad'),
  },
  thresholds: Object.assign({}, API_THRESHOLDS, EVENT_THRESHOLDS),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function apiLoad() {
  apiIteration(fx);
}

export function eventLoad() {
  eventIteration(client, users);
}
