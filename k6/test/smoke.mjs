// Stub smoke test of the k6 scripts, run by scripts/check-k6.sh with Node (k6 itself cannot be
// obtained here): every scenario's init code runs against stub k6 modules (./stubs), then its
// exec functions run for a few hundred iterations, and what they sent is checked against the
// contract: options (executors, VUs, thresholds), full gRPC method names, one connection per VU,
// unique event ids, RFC 3339 timestamps, stat codes, claim URLs and expected statuses, auth
// headers, the e2e probe. It does not talk to a service.
//
//   node --import ./k6/test/register.mjs k6/test/smoke.mjs [k6-dir]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { world } from './stubs/world.mjs';

const k6Dir = path.resolve(process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const users = JSON.parse(fs.readFileSync(path.resolve(k6Dir, '../perf/testdata/users.json'), 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k6-smoke-'));
const tokensFile = path.join(tmp, 'tokens.json');
fs.writeFileSync(tokensFile, JSON.stringify(users.map((u) => `tok-${u}`)));
const tokenUser = Object.fromEntries(users.map((u) => [`tok-${u}`, u]));

const LOGIN = 'accelbyte.iam.account.v1.UserAuthenticationUserLoggedInService/OnMessage';
const STAT = 'accelbyte.social.statistic.v1.StatisticStatItemUpdatedService/OnMessage';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BASE = 'http://svc.test:8000/challenge';

let failures = 0;
let runNo = 0;
function expect(cond, what) {
  if (!cond) {
    failures += 1;
    console.error(`  FAIL: ${what}`);
  }
}

globalThis.open = (p) => fs.readFileSync(path.resolve(k6Dir, p), 'utf8');

async function load(script, env) {
  runNo += 1;
  world.reset({ scriptDir: k6Dir, tokenUser });
  world.phase = 'init';
  globalThis.__ENV = { BASE_URL: BASE + '/', TOKENS_FILE: tokensFile, ...env };
  const mod = await import(`${pathToFileURL(path.join(k6Dir, script)).href}?run=${runNo}`);
  world.phase = 'vu';
  return mod;
}

function run(fn, n) {
  for (let i = 0; i < n; i++) fn();
}

function checkApiScenario(sc, rate) {
  expect(sc && sc.executor === 'constant-arrival-rate', 'API scenario: constant-arrival-rate');
  expect(sc.rate === rate && sc.timeUnit === '1s', `API scenario: rate ${rate}/s`);
  expect(sc.preAllocatedVUs === Math.min(rate, 500), 'API scenario: preAllocatedVUs min(TARGET_RPS, 500)');
  expect(sc.maxVUs === Math.min(2 * rate, 1000), 'API scenario: maxVUs min(2*TARGET_RPS, 1000)');
}

function checkEventScenario(sc, rate) {
  expect(sc && sc.executor === 'constant-arrival-rate', 'event scenario: constant-arrival-rate');
  expect(sc.rate === rate, `event scenario: rate ${rate}/s`);
  expect(sc.preAllocatedVUs === 500 && sc.maxVUs === 500, 'event scenario: 500/500 VUs');
}

function checkThresholds(th, keys) {
  const want = {
    http_req_duration: 'p(95)<2000', http_req_failed: 'rate<0.01',
    grpc_req_duration: 'p(95)<500', checks: 'rate>0.99',
  };
  for (const k of keys) expect(th[k] && th[k].includes(want[k]), `threshold ${k}: ${want[k]}`);
}

function checkAPI(auth) {
  const gets = world.http.filter((r) => r.method === 'GET');
  const posts = world.http.filter((r) => r.method === 'POST');
  expect(gets.length > 0 && gets.every((r) => r.url === `${BASE}/v1/challenges`), 'GET ${BASE_URL}/v1/challenges');
  expect(gets.every((r) => r.params.tags.name === 'GET /v1/challenges'), 'GET tagged name=GET /v1/challenges');
  expect(posts.length > 0, 'some claims were sent');
  const share = posts.length / gets.length;
  expect(share > 0.1 && share < 0.3, `about 20 % of iterations claim (got ${(share * 100).toFixed(1)} %)`);
  expect(posts.every((r) => r.url === `${BASE}/v1/challenges/challenge-001/goals/challenge-001-goal-02/claim`),
    'claim the first completed, unclaimed goal (camelCase challengeId/goalId, claimedAt null)');
  expect(posts.every((r) => r.params.responseCallback && r.params.responseCallback.expectedStatuses.join() === '200,202,409'),
    'claims expect 200, 202 (in progress) or 409');
  expect(posts.every((r) => r.params.tags.name === 'POST /v1/challenges/{challengeId}/goals/{goalId}/claim'), 'claim name tag');
  for (const r of world.http) {
    const h = r.params.headers;
    if (auth === 'bearer') expect(/^Bearer tok-user-\d{6}$/.test(h.Authorization || ''), `bearer header (got ${JSON.stringify(h)})`);
    else expect(/^user-\d{6}$/.test(h['X-Mock-User-Id'] || '') && !h.Authorization, `X-Mock-User-Id header (got ${JSON.stringify(h)})`);
  }
  // The token belongs to the user whose progress is read: same index in users and tokens.
  expect(new Set(world.http.map((r) => r.params.headers.Authorization || r.params.headers['X-Mock-User-Id'])).size > 10, 'users vary');
}

function checkEvents(exclude) {
  const inv = world.grpc.invokes;
  expect(inv.length > 0, 'events were sent');
  expect(world.grpc.connects === 1, `one gRPC connection per VU for the whole run (got ${world.grpc.connects} connects)`);
  expect(world.grpc.addr === 'grpc.test:6565', 'connects to EVENT_HANDLER_ADDR');
  expect(inv.every((c) => c.method === LOGIN || c.method === STAT), 'full method names (accelbyte.… packages)');
  const logins = inv.filter((c) => c.method === LOGIN).length / inv.length;
  expect(logins > 0.1 && logins < 0.3, `about 20 % logins (got ${(logins * 100).toFixed(1)} %)`);
  const ids = new Set(inv.map((c) => c.msg.id));
  expect(ids.size === inv.length, 'event ids are unique');
  expect(inv.every((c) => typeof c.msg.id === 'string' && c.msg.id.length <= 128), 'event ids ≤ 128 characters');
  expect(inv.every((c) => RFC3339.test(c.msg.timestamp)), 'RFC 3339 timestamps');
  expect(inv.every((c) => c.msg.namespace === 'ns1' && /^user-\d{6}$/.test(c.msg.userId)), 'namespace and userId set');
  const stats = inv.filter((c) => c.method === STAT);
  expect(stats.every((c) => ['enemy_kills', 'games_played', 'headshots', 'wins'].includes(c.msg.payload.statCode)),
    'stat codes enemy_kills/games_played/headshots/wins (never login_count)');
  expect(stats.every((c) => Number.isFinite(c.msg.payload.latestValue) && c.msg.payload.latestValue >= 0), 'latestValue ≥ 0');
  expect(inv.filter((c) => c.method === LOGIN).every((c) => c.msg.payload.userAccount.userId === c.msg.userId), 'login payload');
  if (exclude) expect(inv.every((c) => c.msg.userId !== exclude), `background events never touch the probe user ${exclude}`);
  expect(inv.every((c) => c.params && c.params.timeout), 'invoke has a timeout');
}

const cases = [
  ['scenario1_api_load.js (bearer)', async () => {
    const m = await load('scenario1_api_load.js', { TARGET_RPS: '50' });
    checkApiScenario(m.options.scenarios.api_load, 50);
    checkThresholds(m.options.thresholds, ['http_req_duration', 'http_req_failed']);
    run(m[m.options.scenarios.api_load.exec], 400);
    checkAPI('bearer');
    const m2 = await load('scenario1_api_load.js', { TARGET_RPS: '5000', DURATION: '1m' });
    checkApiScenario(m2.options.scenarios.api_load, 5000);
    expect(m2.options.scenarios.api_load.duration === '1m', 'DURATION sets the duration');
  }],
  ['scenario1_api_load.js (mock-header, no tokens file)', async () => {
    const m = await load('scenario1_api_load.js', { AUTH_MODE: 'mock-header', TOKENS_FILE: '/nonexistent/tokens.json' });
    expect(m.options.scenarios.api_load.duration === '30m', 'default duration 30m');
    run(m.apiLoad, 400);
    checkAPI('mock-header');
  }],
  ['scenario2_event_load.js', async () => {
    const m = await load('scenario2_event_load.js', { TARGET_EPS: '2000', EVENT_HANDLER_ADDR: 'grpc.test:6565', NAMESPACE: 'ns1' });
    checkEventScenario(m.options.scenarios.event_load, 2000);
    checkThresholds(m.options.thresholds, ['grpc_req_duration', 'checks']);
    expect(world.grpc.loads.length === 1, 'protos loaded in the init context');
    run(m[m.options.scenarios.event_load.exec], 500);
    checkEvents();
    expect(world.http.length === 0, 'no HTTP in the event scenario');
  }],
  ['scenario3_combined.js', async () => {
    const m = await load('scenario3_combined.js', { TARGET_RPS: '300', TARGET_EPS: '500', EVENT_HANDLER_ADDR: 'grpc.test:6565', NAMESPACE: 'ns1' });
    checkApiScenario(m.options.scenarios.api_load, 300);
    checkEventScenario(m.options.scenarios.event_load, 500);
    checkThresholds(m.options.thresholds, ['http_req_duration', 'http_req_failed', 'grpc_req_duration', 'checks']);
    run(m[m.options.scenarios.api_load.exec], 400);
    run(m[m.options.scenarios.event_load.exec], 400);
    checkAPI('bearer');
    checkEvents();
  }],
  ['scenario5_e2e_latency.js', async () => {
    const m = await load('scenario5_e2e_latency.js', { TARGET_EPS: '300', EVENT_HANDLER_ADDR: 'grpc.test:6565', NAMESPACE: 'ns1' });
    const sc = m.options.scenarios;
    checkEventScenario(sc.background_events, 300);
    expect(sc.e2e.vus === 1 && sc.e2e.duration === '5m', 'one probe VU, default 5m');
    expect(m.options.thresholds.e2e_failed, 'threshold on e2e_failed');
    const probe = users[users.length - 1];
    world.stats[probe] = { enemy_kills: 497 }; // near the target: values must wrap below 500
    run(m[sc.background_events.exec], 300);
    checkEvents(probe);
    const before = world.grpc.invokes.length;
    run(m[sc.e2e.exec], 10);
    const probes = world.grpc.invokes.slice(before);
    expect(probes.length === 10 && probes.every((c) => c.method === STAT && c.msg.userId === probe &&
      c.msg.payload.statCode === 'enemy_kills'), 'probe: enemy_kills events for the last user');
    const values = probes.map((c) => c.msg.payload.latestValue);
    expect(values.join() === '498,499,1,2,3,4,5,6,7,8', `probe values stay below the 500 target and wrap (got ${values})`);
    expect((world.metrics.e2e_latency || []).length === 10, 'e2e_latency recorded per probe');
    expect((world.metrics.e2e_failed || []).every((v) => v === 0), 'no failed probe');
    expect(world.http.every((r) => r.params.headers.Authorization === `Bearer tok-${probe}`), 'probe authenticates as the probe user');
    world.stats[probe] = { enemy_kills: 600 }; // goal completed by someone else: abort with a message
    let threw = false;
    try {
      m.e2eProbe();
    } catch (e) {
      threw = true;
    }
    expect(threw && /completed/.test(world.aborted || ''), 'completed probe goal aborts the test with a message');
  }],
  ['bad env is refused', async () => {
    for (const env of [{ TARGET_RPS: 'abc' }, { AUTH_MODE: 'jwt' }, { CLAIM_RATIO: '2' }]) {
      let threw = false;
      try {
        await load('scenario1_api_load.js', env);
      } catch (e) {
        threw = true;
      }
      expect(threw, `refused ${JSON.stringify(env)}`);
    }
  }],
];

for (const [name, fn] of cases) {
  const before = failures;
  try {
    await fn();
  } catch (e) {
    failures += 1;
    console.error(`  FAIL: ${e.stack || e}`);
  }
  console.log(`${failures === before ? 'ok  ' : 'FAIL'} ${name}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
if (failures > 0) {
  console.error(`k6 stub smoke: ${failures} failure(s)`);
  process.exit(1);
}
console.log('k6 stub smoke: all scenarios ok');
