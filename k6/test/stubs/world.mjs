// Shared state of the stub k6 modules: what the scripts did, and a tiny fake service.
export const world = {
  reset(opts) {
    this.http = []; // { method, url, params }
    this.grpc = { connects: 0, invokes: [], loads: [] }; // invokes: { method, msg, params }
    this.checks = []; // { name, ok }
    this.metrics = {}; // name -> [values]
    this.aborted = null;
    this.vuId = 1;
    this.stats = {}; // user -> { statCode -> latest value } (the fake service's view)
    this.opts = opts || {};
  },
};
world.reset();
