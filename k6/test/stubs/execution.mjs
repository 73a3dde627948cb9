import { world } from './world.mjs';

export default {
  vu: {
    get idInTest() {
      return world.vuId;
    },
  },
  test: {
    abort(msg) {
      world.aborted = msg || 'aborted';
      throw new Error(`test aborted: ${msg}`);
    },
  },
};
