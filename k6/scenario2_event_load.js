// Scenario 2 (TECH_SPEC_M2): event load in isolation. 20 % userLoggedIn, 80 % statItemUpdated
// (enemy_kills, games_played, headshots, wins; login_count comes from logins) at a constant
// arrival rate of TARGET_EPS, at most 500 concurrent calls (the Extend platform's limit).
//
//   k6 run -e TARGET_EPS=1000 --summary-export=results/s2-eps-1000.json k6/scenario2_event_load.js
//
// Each VU opens ONE gRPC connection on its first iteration and keeps it for the run (never a
// connect/close per iteration). Env: EVENT_HANDLER_ADDR (localhost:6565), TARGET_EPS (1000),
// NAMESPACE (test), DURATION (30m), USERS_FILE, LOGIN_RATIO (0.2). Not executed by this
// repository's CI: see k6/README.md.
import { SharedArray } from 'k6/data';
import {
  envInt, duration, eventScenario, eventIteration, newEventClient, parseUsers, cfg,
  EVENT_THRESHOLDS, SUMMARY_TREND_STATS,
} from './lib/common.js';

const TARGET_EPS = envInt('TARGET_EPS', 1000);

const users = new SharedArray('users', () => parseUsers(open(cfg.usersFile)));

// One client per VU, protos parsed in the init context; connected lazily by the first iteration.
const client = newEventClient();

export const options = {
  scenarios: {
    event_load: eventScenario(TARGET_EPS, duration('30m'), 'eventLoad'),
  },
  thresholds: Object.assign({}, EVENT_THRESHOLDS),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function eventLoad() {
  eventIteration(client, users);
}
