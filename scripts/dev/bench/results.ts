// Queries over the collected samples: medians per scenario and contender, per-step medians.
import type { Sample } from './alternate-rounds.ts';
import type { ContenderKey } from './contender.ts';
import type { ScenarioKey } from './scenarios.ts';
import { median } from './stats.ts';

export class Results {
  constructor(
    readonly samples: readonly Sample[],
    /** `deploy.ts --help` wall times per launcher. */
    readonly startupMs: { node: readonly number[]; npx: readonly number[] },
    /** How robot-deploy was started: `npx tsx` is as users run it, and has targets of its own. */
    readonly asUsers = false,
  ) {}

  /** robot-deploy's contender in a scenario: deploy --watch in the watch scenario. */
  ours(scenario: ScenarioKey): ContenderKey {
    return scenario === 'watch' || scenario === 'watch-harness' ? 'robot-deploy-watch' : 'robot-deploy';
  }

  runs(scenario: ScenarioKey, contender: ContenderKey): Sample[] {
    return this.samples.filter((s) => s.scenario === scenario && s.contender === contender && s.round > 0);
  }

  medianMs(scenario: ScenarioKey, contender: ContenderKey): number {
    return median(this.runs(scenario, contender).map((s) => s.run.ms));
  }

  range(scenario: ScenarioKey, contender: ContenderKey): [number, number] {
    const ms = this.runs(scenario, contender).map((s) => s.run.ms);
    return [Math.min(...ms), Math.max(...ms)];
  }

  /** Median over runs of the bytes put on all robots' links together. */
  medianWire(scenario: ScenarioKey, contender: ContenderKey): number {
    return median(this.runs(scenario, contender).map((s) => s.wireBytes.reduce((a, b) => a + b, 0)));
  }

  /** Median floor of the runs' changes (ROS-like rebuilds), or NaN. */
  medianFloor(scenario: ScenarioKey, contender: ContenderKey): number {
    return median(this.runs(scenario, contender).map((s) => s.floorBytes ?? NaN));
  }

  medianTunnelBytes(scenario: ScenarioKey): number {
    return median(this.runs(scenario, 'robot-deploy').map((s) => s.run.tunnelBytes ?? NaN));
  }

  peakMiB(scenario?: ScenarioKey): number[] {
    return this.samples
      .filter((s) => s.contender === 'robot-deploy' && s.round > 0 && (!scenario || s.scenario === scenario))
      .map((s) => s.run.peakMiB ?? NaN);
  }

  /** Per-step times ("who step" → median ms, in first-seen order): robot-deploy's --timings, the OpenSSH flow's own. */
  stepMedians(scenario: ScenarioKey, contender: ContenderKey = this.ours(scenario)): Map<string, number> {
    const all = new Map<string, number[]>();
    for (const sample of this.runs(scenario, contender)) {
      for (const step of sample.run.steps ?? []) {
        const key = `${step.who} ${step.step}`;
        all.set(key, [...(all.get(key) ?? []), step.ms]);
      }
    }
    return new Map([...all].map(([key, ms]) => [key, median(ms)]));
  }
}
