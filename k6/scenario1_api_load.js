// Scenario 1 (TECH_SPEC_M2): API load in isolation. 80 % GET /v1/challenges, 20 % GET then claim
// the first completed, unclaimed goal, at a constant arrival rate of TARGET_RPS.
//
//   k6 run -e TARGET_RPS=100 --summary-export=results/s1-rps-100.json k6/scenario1_api_load.js
//
// Env: BASE_URL (with base path; default http://localhost:8000/challenge), TARGET_RPS (100),
// DURATION (30m), AUTH_MODE (bearer | mock-header), TOKENS_FILE, USERS_FILE, CLAIM_RATIO (0.2),
// GET_ONLY (false). Not executed by this repository's CI: see k6/README.md.
import { SharedArray } from 'k6/data';
import {
  cfg, envInt, duration, apiScenario, apiIteration, parseUsers, parseTokens,
  API_THRESHOLDS, SUMMARY_TREND_STATS,
} from './lib/common.js';

const TARGET_RPS = envInt('TARGET_RPS', 100);

// open() stays in this file so relative paths resolve against k6/.
const users = new SharedArray('users', () => parseUsers(open(cfg.usersFile)));
const tokens = cfg.authMode === 'bearer'
  ? new SharedArray('tokens', () => parseTokens(open(cfg.tokensFile), users.length))
  : [];
const fx = { users, tokens };

export const options = {
  scenarios: {
    api_load: apiScenario(TARGET_RPS, duration('30m'), 'apiLoad'),
  },
  thresholds: Object.assign({}, API_THRESHOLDS),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function apiLoad() {
  apiIteration(fx);
  // No sleep: the constant-arrival-rate executor paces iterations.
}
