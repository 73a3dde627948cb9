export class SharedArray {
  constructor(name, fn) {
    const data = fn();
    if (!Array.isArray(data)) throw new Error(`SharedArray ${name}: callback must return an array`);
    return Object.freeze(data.slice());
  }
}
export default { SharedArray };
