// `deploy.ts --watch` as a contender: one process for the whole scenario (its first deploy is the
// warm-up), then each measured run is a save, timed until the robot holds the new image. It has a
// project of its own, so the baseline's saves in the other project never trigger it.
import type { SimRobot } from '../sim/harness.ts';
import type { BenchProject } from './bench-project.ts';
import { interrupt, launch, type Running } from './child-processes.ts';
import type { Contender, RunSample, StepTime } from './contender.ts';
import { deployArgv, type Launcher, REPO } from './robot-deploy-contender.ts';

const REDEPLOY_LINE = /^\d\d:\d\d:\d\d (\S+) {2}(deployed|up to date|failed)\b.*$/gm;
const TIMING_LINE = /^ {2}(\S+) {2}(.+?)\s+(\d+(?:\.\d+)?) s$/gm;

export function watchContender(project: BenchProject, launcher: Launcher): Contender & { project: BenchProject } {
  let running: Running | undefined;
  let output = '';
  let onOutput: () => void = () => undefined;
  const until = (what: string, done: () => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`deploy --watch: no ${what} within ${timeoutMs / 1000} s:\n${output.slice(-3000)}`)),
        timeoutMs,
      );
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        onOutput = () => undefined;
        resolve();
      };
      onOutput = check;
      void running!.done.then((finished) =>
        reject(new Error(`deploy --watch exited with ${finished.code}:\n${output.slice(-3000)}${finished.stderr}`)),
      );
      check();
    });
  return {
    key: 'robot-deploy-watch',
    project,
    async deploy(robots: SimRobot[], savedAt?: number): Promise<RunSample> {
      const start = savedAt ?? performance.now();
      if (!running) {
        running = launch(deployArgv(project, robots, ['--watch', '--timings'], launcher), { cwd: REPO, group: true });
        running.child.stdout!.on('data', (chunk: string) => {
          output += chunk;
          onOutput();
        });
        await until('first deploy', () => /watching .* for changes/.test(output), 600_000);
        return { ms: performance.now() - start };
      }
      const from = output.length;
      const lines = () => [...output.slice(from).matchAll(REDEPLOY_LINE)];
      // The last robot's line is where the time stops; the per-step timings follow it.
      await until('redeploy line', () => lines().length >= robots.length, 120_000);
      const seenAt = performance.now();
      await until('timings', () => new RegExp(TIMING_LINE.source, 'm').test(output.slice(from)), 5000);
      const statuses = new Map(lines().map((m) => [m[1]!, m[2]!]));
      const steps: StepTime[] = [...output.slice(from).matchAll(TIMING_LINE)].map((m) => ({
        who: m[1]!,
        step: m[2]!,
        ms: Number(m[3]) * 1000,
      }));
      return { ms: seenAt - start, statuses, steps };
    },
    async finish() {
      if (!running) return;
      interrupt(running);
      const finished = await running.done;
      running = undefined;
      if (!/Interrupted \(Ctrl-C\): closed/.test(finished.stderr))
        throw new Error(`deploy --watch did not close on Ctrl-C (exit ${finished.code}):\n${finished.stderr}`);
    },
  };
}
