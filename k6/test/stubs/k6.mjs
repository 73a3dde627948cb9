import { world } from './world.mjs';

export function check(val, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(val));
    world.checks.push({ name, ok });
    all = all && ok;
  }
  return all;
}
export function sleep() {}
export function group(_, fn) {
  return fn();
}
export function fail(msg) {
  throw new Error(msg);
}
export default { check, sleep, group, fail };
