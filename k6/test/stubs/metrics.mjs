import { world } from './world.mjs';

class Metric {
  constructor(name, isTime) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    this.name = name;
    this.isTime = Boolean(isTime);
  }
  add(v) {
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`${this.name}: add(${v})`);
    (world.metrics[this.name] = world.metrics[this.name] || []).push(Number(v));
  }
}
export class Trend extends Metric {}
export class Rate extends Metric {}
export class Counter extends Metric {}
export class Gauge extends Metric {}
export default { Trend, Rate, Counter, Gauge };
