import type { ListrTask, ListrTaskWrapper } from 'listr2';
import { formatSshTarget } from '../config/ssh-target.ts';
import { takeRobotLock } from '../link/robot-lock-step.ts';
import { pruneStep } from '../prune/prune-step.ts';
import { type DeployContext, isInteractive, type RobotRun } from './context.ts';
import { beforeRobotStep } from './step-hooks.ts';
import { afterStep, composeStep } from './steps/after-deploy-step.ts';
import { closeRobot, releaseRobot } from './steps/clean-up-step.ts';
import { compareStep } from './steps/compare-step.ts';
import { connectStep } from './steps/connect-step.ts';
import { dryConnectStep, dryTunnelStep } from './steps/dry-run-steps.ts';
import { holdTunnel } from './steps/hold-tunnel-step.ts';
import { probeStep } from './steps/probe-step.ts';
import { pullStep } from './steps/pull-step.ts';
import { pushStep } from './steps/push-step.ts';
import { registryStep, stopRegistryStep } from './steps/registry-step.ts';
import { tunnelStep } from './steps/tunnel-step.ts';

type Task = ListrTaskWrapper<DeployContext, never, never>;
// biome-ignore lint/suspicious/noConfusingVoidType: a step returns a note for its title, or nothing
type Work = (task: Task) => Promise<string | void>;

export const ROBOT_STEPS = [
  'connect',
  'check robot',
  'compare with the build',
  'registry',
  'tunnel',
  'push',
  'pull & tag',
  'compose',
  'after',
] as const;
/** Steps only the single-step scripts use. */
export type RobotStep = (typeof ROBOT_STEPS)[number] | 'stop registry' | 'hold tunnel' | 'prune';

function throttle(task: Task, everyMs: number): (text: string) => void {
  let last = 0;
  return (text) => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    task.output = text;
  };
}

function work(ctx: DeployContext, run: RobotRun, name: RobotStep, interactive: boolean): Work {
  const { recorded } = ctx;
  switch (name) {
    case 'connect':
      return recorded ? async () => dryConnectStep(run, recorded) : (task) => connectStep(ctx, run, (text) => (task.output = text));
    case 'check robot':
      return () => probeStep(ctx, run);
    case 'compare with the build':
      return () => compareStep(ctx, run);
    case 'registry':
      return async (task) => {
        // From here until the pull & tag the robot changes: prune (exclusive) waits, other deploys do not.
        if (!recorded) await takeRobotLock(run, 'shared');
        return registryStep(ctx, run, (text) => (task.output = text));
      };
    case 'tunnel':
      return recorded ? () => dryTunnelStep(run) : () => tunnelStep(ctx, run);
    case 'push':
      return (task) => pushStep(ctx, run, throttle(task, interactive ? 200 : 5000), (text) => (task.output = text));
    case 'pull & tag':
      return (task) => pullStep(ctx, run, (text) => (task.output = text));
    case 'compose':
      return () => composeStep(ctx, run);
    case 'after':
      return () => afterStep(ctx, run);
    case 'stop registry':
      return () => stopRegistryStep(run);
    case 'hold tunnel':
      return recorded ? async () => 'would stay open until Ctrl-C' : (task) => holdTunnel(ctx, run, task);
    case 'prune':
      return () => pruneStep(ctx, run, ctx.pruneKeep);
  }
}

/**
 * One flat list per robot, one task per step of the post. A failed step skips the rest, but
 * clean-up always runs. After a compare, steps that ship images skip robots already up to date.
 */
export function robotTasks(ctx: DeployContext, run: RobotRun, only: readonly RobotStep[] = ROBOT_STEPS): ListrTask<DeployContext>[] {
  const interactive = isInteractive(ctx);
  const compared = only.includes('compare with the build');
  const shipping = new Set<RobotStep>(['registry', 'tunnel', 'push', 'pull & tag', 'compose', 'after']);
  const selected = only.filter((name) => (name !== 'after' || run.robot.after) && (name !== 'compose' || run.robot.compose));
  const tasks = selected.map(
    (name): ListrTask<DeployContext> => ({
      title: name,
      task: async (_ctx, task) => {
        if (run.error) return task.skip(`${name}: skipped (${run.robot.name} failed earlier)`);
        if (compared && shipping.has(name) && run.stale.length === 0) return task.skip(`${name}: skipped, robot is up to date`);
        try {
          for (const hook of beforeRobotStep) await hook(name, ctx.signal, (text) => (task.output = text));
          const note = await run.clock.time(name, () => work(ctx, run, name, interactive)(task as unknown as Task));
          if (note) task.title = `${name}: ${note}`;
        } catch (error) {
          run.error ??= (error as Error).message;
          throw error;
        }
      },
    }),
  );
  return [
    ...tasks,
    {
      title: 'clean up',
      task: () => run.clock.time('clean up', () => (ctx.keepOpen ? releaseRobot(run) : closeRobot(run))),
    },
  ];
}

export function robotTitle(run: RobotRun): string {
  return `${run.robot.name} (${formatSshTarget(run.robot.target)}, ${run.robot.platform})`;
}
