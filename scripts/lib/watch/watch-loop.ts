import { megabytes, shortId } from '../cli/display-format.ts';
import type { DeployContext } from '../deploy/context.ts';
import { runDeploy } from '../deploy/pipeline.ts';
import type { RobotRun } from '../deploy/robot-run.ts';
import { DEPLOY_STEPS } from '../deploy/steps/index.ts';
import { robotStatus, timingLines } from '../deploy/summary.ts';
import { planBuilds } from '../image-build/build-plan.ts';
import { StepClock } from '../runner/step-clock.ts';
import { type ChangeBatch, watchContext } from './context-watcher.ts';

type Say = (line: string) => void;

/** Redeploys and reconnects one at a time: a reconnect never swaps a connection under a push. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * deploy --watch: the first deploy as usual, then one redeploy per batch of saved files, over the
 * connections and tunnels the first one opened (reopened after drops). Runs until Ctrl-C, whose
 * teardown closes the watcher, tunnels and connections.
 */
export async function watchAndRedeploy(
  ctx: DeployContext,
  firstDeploy: () => Promise<void>,
  timings: boolean,
  say: Say = (line) => console.log(line),
): Promise<never> {
  const serial = new Serial();
  let queued: ChangeBatch | undefined;
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    while (queued && !ctx.signal.aborted) {
      const batch = queued;
      queued = undefined;
      await serial.run(() => redeploy(ctx, batch, timings, say));
    }
    pumping = false;
  };
  const watcher = watchContext(
    ctx.config.context,
    (batch) => {
      queued = queued ? { firstAt: queued.firstAt, paths: [...new Set([...queued.paths, ...batch.paths])] } : batch;
      void pump();
    },
    { ownFiles: [ctx.config.knownHostsFile], onProblem: (text) => say(`${stamp()} note: ${text}`) },
  );
  ctx.teardown.add('watching the build context', () => watcher.close());
  await watcher.ready;
  await serial.run(firstDeploy);
  say(`\nwatching ${ctx.config.context} for changes (.git and .dockerignore'd files excepted); Ctrl-C stops`);
  for (const run of ctx.robots) void keepWarm(ctx, run, serial, say);
  return new Promise<never>(() => undefined);
}

async function redeploy(ctx: DeployContext, batch: ChangeBatch, timings: boolean, say: Say): Promise<void> {
  ctx.builds.clear();
  for (const [key, job] of planBuilds(ctx.config, ctx.robots)) ctx.builds.set(key, job);
  ctx.notices.length = 0;
  const sentBefore = new Map(ctx.robots.map((run) => [run, run.link.tunnelIfAny?.bytesToRobot() ?? 0]));
  for (const run of ctx.robots) {
    run.newRound();
    // The robot's lock is taken while the image builds, on a connection that is still open.
    if (run.link.isOpen()) void run.link.takeLock('shared').catch(() => undefined);
  }
  const buildClock = new StepClock();
  await runDeploy(ctx, buildClock, DEPLOY_STEPS, { quiet: true, finish: 'release' });
  if (ctx.signal.aborted) return;
  const seconds = ((performance.now() - batch.firstAt) / 1000).toFixed(2);
  const changed = `${batch.paths.length} file${batch.paths.length === 1 ? '' : 's'} changed`;
  for (const run of ctx.robots) say(`${stamp()} ${roundLine(ctx, run, seconds, changed, sentBefore.get(run) ?? 0)}`);
  for (const notice of ctx.notices) say(`note: ${notice}`);
  if (timings)
    say(
      timingLines(ctx, buildClock)
        .map((line) => `  ${line}`)
        .join('\n'),
    );
}

/** One line per robot per redeploy: what it holds now, and how long since the first save. */
function roundLine(ctx: DeployContext, run: RobotRun, seconds: string, changed: string, sentBefore: number): string {
  const status = robotStatus(run);
  if (status === 'failed') return `${run.robot.name}  failed after ${seconds} s (${changed}): ${run.error?.split('\n')[0]}`;
  const images = run.workspaces.map((ws) => `${ctx.config.image}:${ws} ${shortId(run.outcomes.get(ws)?.id)}`).join(', ');
  const now = run.link.tunnelIfAny?.bytesToRobot() ?? 0;
  const sent = status === 'deployed' ? `, ${megabytes(now >= sentBefore ? now - sentBefore : now)} sent` : '';
  return `${run.robot.name}  ${status} ${images} ${seconds} s after the save (${changed}${sent})`;
}

/** Reopens a dropped link (connection and tunnel) between redeploys, so the next one starts warm. */
async function keepWarm(ctx: DeployContext, run: RobotRun, serial: Serial, say: Say): Promise<void> {
  const stopped = new Promise<undefined>((resolve) => ctx.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  let lastProblem = '';
  while (!ctx.signal.aborted) {
    const closed = run.link.closed;
    if (closed && run.link.isOpen()) {
      const why = await Promise.race([closed, stopped]);
      if (ctx.signal.aborted) return;
      if (run.link.closed === closed) say(`${stamp()} ${run.robot.name}  link lost${why ? ` (${why.message})` : ''}; reconnecting`);
      continue;
    }
    const problem = await serial
      .run(() => (run.link.isOpen() ? Promise.resolve() : run.link.reopen(REOPEN_MS)))
      .then(
        () => '',
        (error: Error) => error.message,
      );
    if (ctx.signal.aborted) return;
    if (!problem) {
      say(`${stamp()} ${run.robot.name}  reconnected${run.link.tunnelIfAny ? `; tunnel 127.0.0.1:${run.link.tunnelIfAny.port} open` : ''}`);
      lastProblem = '';
      continue;
    }
    if (problem !== lastProblem) say(`${stamp()} ${run.robot.name}  still unreachable (${problem.split('\n')[0]}); retrying`);
    lastProblem = problem;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 2000)), stopped]);
  }
}

/** Each try at reopening a dropped link between saves gets this long. */
const REOPEN_MS = 5000;

function stamp(): string {
  return new Date().toTimeString().slice(0, 8);
}
