import fs from 'node:fs';
import path from 'node:path';
import { world } from './world.mjs';

export const StatusOK = 0;

export class Client {
  constructor() {
    this.loaded = false;
    this.conn = false;
  }
  // Like k6: init context only; import paths resolve against the entry script's directory.
  load(importPaths, ...files) {
    if (world.phase !== 'init') throw new Error('grpc.Client#load outside the init context');
    for (const f of files) {
      const found = (importPaths.length ? importPaths : ['.']).some((p) =>
        fs.existsSync(path.resolve(world.opts.scriptDir, p, f)));
      if (!found) throw new Error(`proto ${f} not found under ${importPaths.join(', ')} (relative to ${world.opts.scriptDir})`);
    }
    world.grpc.loads.push(files);
    this.loaded = true;
  }
  connect(addr, params) {
    if (world.phase === 'init') throw new Error('grpc.Client#connect in the init context');
    if (!this.loaded) throw new Error('connect before load');
    if (this.conn) throw new Error('connect on a connected client');
    if (!params || params.plaintext !== true) throw new Error('expected plaintext: true');
    world.grpc.connects += 1;
    world.grpc.addr = addr;
    this.conn = true;
  }
  invoke(method, msg, params) {
    if (!this.conn) throw new Error('invoke before connect');
    world.grpc.invokes.push({ method, msg, params });
    const p = msg.payload || {};
    if (p.statCode) {
      const u = (world.stats[msg.userId] = world.stats[msg.userId] || {});
      u[p.statCode] = p.latestValue;
    }
    return { status: StatusOK, message: {} };
  }
  close() {
    this.conn = false;
  }
}
export default { Client, StatusOK };
