// Shared helpers for the k6 versions of the spec's scenarios (TECH_SPEC_M2 scenarios 1, 2, 3, 5).
//
// These scripts mirror the Go suite (loadgen/ + perf/) for teams that already run k6. They are
// syntax-checked by scripts/check-k6.sh but NOT executed by this repository's CI: k6 cannot be
// obtained on the machines the suite runs on. See k6/README.md.
//
// Path rules (k6 resolves these differently, so keep them where they are):
// - open() is called only in the scenario scripts themselves (k6/*.js), so relative fixture paths
//   resolve against k6/ no matter which directory k6 is started from;
// - grpc.Client#load() resolves import paths against the entry script's directory (k6/), so the
//   proto root is '../proto/accelbyte-asyncapi' even though load() is called from this module.
import http from 'k6/http';
import grpc from 'k6/net/grpc';
import exec from 'k6/execution';
import { check } from 'k6';

// ---------------------------------------------------------------------------------------------
// Configuration (environment variables, same names as the spec's sketches)

function envString(name, def) {
  const v = __ENV[name];
  return v === undefined || v === '' ? def : v;
}

// envInt parses a non-negative integer and fails loudly instead of silently running at NaN RPS.
export function envInt(name, def) {
  const raw = envString(name, String(def));
  if (!/^[0-9]+$/.test(raw)) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return parseInt(raw, 10);
}

export function envFloat(name, def, min, max) {
  const raw = envString(name, String(def));
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`${name} must be a number in ${min}..${max}, got "${raw}"`);
  }
  return v;
}

export function envBool(name, def) {
  const raw = envString(name, def ? 'true' : 'false').toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

const authMode = envString('AUTH_MODE', 'bearer');
if (authMode !== 'bearer' && authMode !== 'mock-header') {
  throw new Error(`AUTH_MODE must be "bearer" or "mock-header", got "${authMode}"`);
}

export const cfg = Object.freeze({
  // Base URL including the service's base path (BASE_PATH), without a trailing slash.
  baseUrl: envString('BASE_URL', 'http://localhost:8000/challenge').replace(/\/+$/, ''),
  eventAddr: envString('EVENT_HANDLER_ADDR', 'localhost:6565'),
  namespace: envString('NAMESPACE', 'test'),
  authMode: authMode,
  // Fixture paths: relative paths resolve against k6/ (where the scenario scripts are).
  usersFile: envString('USERS_FILE', '../perf/testdata/users.json'),
  tokensFile: envString('TOKENS_FILE', '../perf/results/stack/tokens.json'),
  // Share of API iterations that GET and then claim (spec: 20 %); GET_ONLY=true sets it to 0.
  claimRatio: envBool('GET_ONLY', false) ? 0 : envFloat('CLAIM_RATIO', 0.2, 0, 1),
  // Share of events that are logins (spec: 20 %); the rest are stat updates.
  loginRatio: envFloat('LOGIN_RATIO', 0.2, 0, 1),
  grpcTimeout: envString('GRPC_TIMEOUT', '10s'),
});

export function duration(def) {
  return envString('DURATION', def);
}

// The trend columns the Go suite writes into its summary.json (k6 adds p(99) and count only when asked).
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

// Thresholds of the spec's "system at limit" definition.
export const API_THRESHOLDS = {
  http_req_duration: ['p(95)<2000'], // API p95 < 2 s
  http_req_failed: ['rate<0.01'], // error rate < 1 %
};
export const EVENT_THRESHOLDS = {
  grpc_req_duration: ['p(95)<500'], // event p95 < 500 ms
  checks: ['rate>0.99'], // > 99 % of checks pass
};

// ---------------------------------------------------------------------------------------------
// Executors

// apiScenario: constant-arrival-rate sized as in the spec (VUs pre-allocated up to 500, at most 1,000).
export function apiScenario(rate, dur, execName) {
  if (rate < 1) throw new Error('TARGET_RPS must be at least 1');
  return {
    executor: 'constant-arrival-rate',
    rate: rate,
    timeUnit: '1s',
    duration: dur,
    preAllocatedVUs: Math.min(rate, 500),
    maxVUs: Math.min(rate * 2, 1000),
    exec: execName,
  };
}

// eventScenario: at most 500 VUs, the Extend platform's limit of concurrent OnMessage calls.
export function eventScenario(rate, dur, execName) {
  if (rate < 1) throw new Error('TARGET_EPS must be at least 1');
  return {
    executor: 'constant-arrival-rate',
    rate: rate,
    timeUnit: '1s',
    duration: dur,
    preAllocatedVUs: 500,
    maxVUs: 500,
    exec: execName,
  };
}

// ---------------------------------------------------------------------------------------------
// Fixtures (call these inside SharedArray callbacks, with the text from open() in the scenario script)

// parseUsers accepts the repository's format (a JSON array of user ids) and the spec's
// ([{"id": "..."}]).
export function parseUsers(text) {
  const raw = JSON.parse(text);
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new Error('users file: expected a non-empty JSON array of user ids');
  }
  return raw.map((u, i) => {
    const id = typeof u === 'string' ? u : u && u.id;
    if (typeof id !== 'string' || id === '') throw new Error(`users file: entry ${i} has no user id`);
    return id;
  });
}

// parseTokens reads a JSON array of JWTs aligned with the users file (tokens[i] belongs to users[i]).
export function parseTokens(text, userCount) {
  const raw = JSON.parse(text);
  if (!Array.isArray(raw) || raw.length < userCount) {
    throw new Error(`tokens file: expected a JSON array of at least ${userCount} tokens aligned with the users file`);
  }
  return raw.slice(0, userCount).map((t, i) => {
    if (typeof t !== 'string' || t === '') throw new Error(`tokens file: entry ${i} is not a token`);
    return t;
  });
}

// authHeaders: `Authorization: Bearer <JWT>` or, with AUTH_MODE=mock-header, `X-Mock-User-Id`.
export function authHeaders(fx, idx) {
  if (cfg.authMode === 'bearer') return { Authorization: `Bearer ${fx.tokens[idx]}` };
  return { 'X-Mock-User-Id': fx.users[idx] };
}

// pickIndex draws a user index in [0, n).
export function pickIndex(n) {
  return Math.floor(Math.random() * n);
}

// ---------------------------------------------------------------------------------------------
// REST API

export const NAME_GET = 'GET /v1/challenges';
export const NAME_CLAIM = 'POST /v1/challenges/{challengeId}/goals/{goalId}/claim';

// For a claim, 200 (claimed now) and 409 (already claimed, e.g. by a concurrent VU) are both
// expected outcomes: neither counts in http_req_failed.
const claimCallback = http.expectedStatuses(200, 202, 409); // 202: the outcome is not known yet (in progress)

export function listChallenges(fx, idx, name) {
  return http.get(`${cfg.baseUrl}/v1/challenges`, {
    headers: authHeaders(fx, idx),
    tags: { name: name || NAME_GET },
  });
}

// firstClaimable returns the first goal that is completed and not yet claimed (camelCase fields,
// as the service sends them), or null.
export function firstClaimable(body) {
  let data;
  try {
    data = JSON.parse(body);
  } catch (e) {
    return null;
  }
  for (const c of data.challenges || []) {
    for (const g of c.goals || []) {
      if (g.status === 'completed' && (g.claimedAt === null || g.claimedAt === undefined)) {
        return { challengeId: c.challengeId, goalId: g.goalId };
      }
    }
  }
  return null;
}

// apiIteration is scenario 1's mix: 80 % GET /v1/challenges; 20 % GET, then claim the first
// completed, unclaimed goal if there is one (same as the Go workload "apiLoad").
export function apiIteration(fx) {
  const idx = pickIndex(fx.users.length);
  const claim = Math.random() < cfg.claimRatio;
  const r = listChallenges(fx, idx);
  const ok = check(r, { 'GET challenges: status 200': (res) => res.status === 200 });
  // A substring test instead of JSON.parse: parsing ~150 KB per GET would cost the generator more
  // than the request costs the service.
  check(r, { 'GET challenges: has data': (res) => ok && typeof res.body === 'string' && res.body.includes('"challengeId"') });
  if (!ok || !claim || typeof r.body !== 'string' || !r.body.includes('"completed"')) return;
  const goal = firstClaimable(r.body);
  if (goal === null) return;
  const url = `${cfg.baseUrl}/v1/challenges/${encodeURIComponent(goal.challengeId)}/goals/${encodeURIComponent(goal.goalId)}/claim`;
  const c = http.post(url, null, {
    headers: authHeaders(fx, idx),
    tags: { name: NAME_CLAIM },
    responseCallback: claimCallback,
  });
  check(c, { 'POST claim: status 200, 202 or 409': (res) => res.status === 200 || res.status === 202 || res.status === 409 });
}

// ---------------------------------------------------------------------------------------------
// Events (gRPC)

// Full method names, package included: the Extend platform calls exactly these.
export const LOGIN_METHOD = 'accelbyte.iam.account.v1.UserAuthenticationUserLoggedInService/OnMessage';
export const STAT_METHOD = 'accelbyte.social.statistic.v1.StatisticStatItemUpdatedService/OnMessage';

// login_count is driven by login events, so stat events use the other four codes.
export const STAT_CODES = ['enemy_kills', 'games_played', 'headshots', 'wins'];

// newEventClient must be called in the init context (top level of a scenario script): it parses
// the AGS protos once per VU. The protos import google/protobuf/{empty,struct}.proto, which k6 bundles.
export function newEventClient() {
  const client = new grpc.Client();
  client.load(
    ['../proto/accelbyte-asyncapi'],
    'iam/account/v1/account.proto',
    'social/statistic/v1/statistic.proto',
  );
  return client;
}

// One persistent connection per VU, opened by the VU's first event iteration and reused for the
// rest of the run (the Extend platform keeps one connection open; connecting per iteration
// exhausts local ports, which capped the reference's own k6 tests at 195 EPS). The flag lives in
// this module, which k6 instantiates once per VU. A failed connect leaves it false, so the next
// iteration retries.
let connected = false;

function ensureConnected(client) {
  if (connected) return;
  client.connect(cfg.eventAddr, { plaintext: true, timeout: '10s' });
  connected = true;
}

// Event ids: unique per run, VU and iteration (the handler de-duplicates by id, so a repeated id
// would be acknowledged without being applied).
const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
let seq = 0;

export function eventId() {
  seq += 1;
  return `k6-${runTag}-${exec.vu.idInTest}-${seq}`;
}

// RFC 3339 timestamp (UTC, milliseconds): the handler orders stat values by it.
export function nowRFC3339() {
  return new Date().toISOString();
}

export function sendLogin(client, user, name) {
  ensureConnected(client);
  const msg = {
    id: eventId(),
    version: 1,
    name: 'userLoggedIn',
    namespace: cfg.namespace,
    timestamp: nowRFC3339(),
    userId: user,
    payload: {
      userAccount: { userId: user, namespace: cfg.namespace },
      userAuthentication: { platformId: 'k6' },
    },
  };
  const r = client.invoke(LOGIN_METHOD, msg, { timeout: cfg.grpcTimeout, tags: { name: name || 'userLoggedIn' } });
  return check(r, { 'login event processed': (res) => res && res.status === grpc.StatusOK });
}

export function sendStat(client, user, statCode, value, name) {
  ensureConnected(client);
  const msg = {
    id: eventId(),
    version: 1,
    name: 'statItemUpdated',
    namespace: cfg.namespace,
    timestamp: nowRFC3339(),
    userId: user,
    payload: {
      namespace: cfg.namespace,
      statCode: statCode,
      userId: user,
      latestValue: value,
    },
  };
  const r = client.invoke(STAT_METHOD, msg, { timeout: cfg.grpcTimeout, tags: { name: name || 'statItemUpdated' } });
  return check(r, { 'stat event processed': (res) => res && res.status === grpc.StatusOK });
}

// eventIteration is scenario 2's mix: 20 % logins, 80 % stat updates with a random absolute value
// in 0..999 for one of STAT_CODES, for a random user. exclude (optional) is the index of a user to
// leave out: scenario 5 keeps its probe user out of the background load.
export function eventIteration(client, users, exclude) {
  const skip = exclude !== undefined && exclude >= 0 && exclude < users.length;
  let i = pickIndex(users.length - (skip ? 1 : 0));
  if (skip && i >= exclude) i += 1;
  const user = users[i];
  if (Math.random() < cfg.loginRatio) {
    sendLogin(client, user);
    return;
  }
  const code = STAT_CODES[pickIndex(STAT_CODES.length)];
  sendStat(client, user, code, Math.floor(Math.random() * 1000));
}
