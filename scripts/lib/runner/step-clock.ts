/** Wall time per step, for --timings and the benchmark. */
export class StepClock {
  readonly steps: { name: string; ms: number }[] = [];

  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.steps.push({ name, ms: performance.now() - start });
    }
  }

  total(): number {
    return this.steps.reduce((sum, step) => sum + step.ms, 0);
  }
}
