import { world } from './world.mjs';

// A fake GET /v1/challenges: challenge-001 has a completed, unclaimed goal and a claimed one;
// challenge-002 has enemy_kills goals (targets 490, 500) whose progress follows the user's stat.
function list(user) {
  const kills = ((world.stats[user] || {}).enemy_kills) || 0;
  const goal = (id, target) => ({
    goalId: id,
    name: id,
    requirement: { statCode: 'enemy_kills', operator: '>=', targetValue: target },
    reward: { type: 'WALLET', rewardId: 'GEMS', quantity: 1 },
    prerequisites: [],
    progress: Math.min(Math.floor(kills), target),
    status: kills >= target ? 'completed' : kills > 0 ? 'in_progress' : 'not_started',
    completedAt: null,
    claimedAt: null,
  });
  return JSON.stringify({
    challenges: [
      {
        challengeId: 'challenge-001',
        name: 'c1',
        goals: [
          { goalId: 'challenge-001-goal-01', status: 'claimed', progress: 1, claimedAt: '2026-01-01T00:00:00Z',
            requirement: { statCode: 'wins', operator: '>=', targetValue: 1 } },
          { goalId: 'challenge-001-goal-02', status: 'completed', progress: 2, claimedAt: null,
            requirement: { statCode: 'wins', operator: '>=', targetValue: 2 } },
        ],
      },
      { challengeId: 'challenge-002', name: 'c2', goals: [goal('challenge-002-goal-49', 490), goal('challenge-002-goal-50', 500)] },
    ],
  });
}

function userOf(params) {
  const h = (params && params.headers) || {};
  if (h['X-Mock-User-Id']) return h['X-Mock-User-Id'];
  const a = h.Authorization || '';
  return (world.opts.tokenUser || {})[a.replace(/^Bearer /, '')] || null;
}

function request(method, url, body, params) {
  if (world.phase === 'init') throw new Error('HTTP request in the init context');
  world.http.push({ method, url, body, params });
  if (method === 'GET') return { status: 200, body: list(userOf(params)) };
  return { status: 200, body: '{"status":"claimed"}' };
}

export function get(url, params) {
  return request('GET', url, null, params);
}
export function post(url, body, params) {
  return request('POST', url, body, params);
}
export function expectedStatuses(...codes) {
  return { expectedStatuses: codes };
}
export function setResponseCallback(cb) {
  world.responseCallback = cb;
}
export default { get, post, expectedStatuses, setResponseCallback };
