// Registers hooks.mjs: `node --import ./k6/test/register.mjs k6/test/smoke.mjs`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
