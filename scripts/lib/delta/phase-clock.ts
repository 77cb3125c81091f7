// Where a delta's time goes, phase by phase, for its line in the push step (and the bench's profile).

export class PhaseClock {
  private last = performance.now();
  private readonly phases: [string, number][] = [];

  /** Ends the phase running since the last lap under `name`. */
  lap(name: string): void {
    const now = performance.now();
    this.phases.push([name, (now - this.last) / 1000]);
    this.last = now;
  }

  /** Adds the robot's own "phase NAME MS" lines (they ran inside the laptop's last lap). */
  robot(stdout: string): void {
    for (const [, name, ms] of stdout.matchAll(/^phase (\S+) (\d+)$/gm)) this.phases.push([`robot ${name}`, Number(ms) / 1000]);
    this.lap('robot apply');
  }

  text(): string {
    return this.phases.map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`).join(', ');
  }
}
