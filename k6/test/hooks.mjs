// Module hooks for the stub smoke test: `k6` and `k6/...` resolve to the stubs in ./stubs, the
// k6 scripts (plain .js without a package.json) load as ES modules, and a `?run=N` query on a
// script propagates to its relative imports so every run gets fresh module state (as every k6 VU
// does).
const STUBS = new URL('./stubs/', import.meta.url);
const K6_MODULES = new Set(['k6', 'k6/http', 'k6/net/grpc', 'k6/data', 'k6/metrics', 'k6/execution']);

export async function resolve(specifier, context, next) {
  if (K6_MODULES.has(specifier)) {
    const name = specifier === 'k6' ? 'k6' : specifier.slice(3).replace(/\//g, '_');
    return { url: new URL(`${name}.mjs`, STUBS).href, shortCircuit: true };
  }
  if (specifier.startsWith('k6/')) {
    throw new Error(`k6 module ${specifier} has no stub in k6/test/stubs (add one)`);
  }
  const r = await next(specifier, context);
  const parent = context.parentURL ? new URL(context.parentURL) : null;
  if (parent && parent.search && specifier.startsWith('.')) {
    const u = new URL(r.url);
    u.search = parent.search;
    return { ...r, url: u.href };
  }
  return r;
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && new URL(url).pathname.endsWith('.js')) {
    const r = await next(url, { ...context, format: 'module' });
    return { ...r, format: 'module' };
  }
  return next(url, context);
}
