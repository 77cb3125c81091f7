import type { ListrTask, ListrTaskWrapper } from 'listr2';
import { formatSshTarget } from '../config/ssh-target.ts';
import type { DeployContext, RobotRun } from './context.ts';
import { compareStep, connectStep, probeStep } from './steps/connect-step.ts';
import { pushStep } from './steps/push-step.ts';
import { afterStep, pullStep } from './steps/pull-step.ts';
import { registryStep } from './steps/registry-step.ts';
import { closeRobot, tunnelStep } from './steps/tunnel-step.ts';

type Task = ListrTaskWrapper<DeployContext, never, never>;
type Work = (task: Task) => Promise<string | void>;

const throttle = (task: Task, everyMs: number) => {
  let last = 0;
  return (text: string) => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    task.output = text;
  };
};

/** One flat list per robot, one task per step of the post; a failed step skips the rest but clean-up. */
export function robotTasks(ctx: DeployContext, run: RobotRun): ListrTask<DeployContext>[] {
  const interactive = process.stdout.isTTY && !process.env.CI;
  const step = (title: string, work: Work, needsStale = true): ListrTask<DeployContext> => ({
    title,
    task: async (_ctx, task) => {
      if (run.error) return task.skip(`${title}: skipped (${run.robot.name} failed earlier)`);
      if (needsStale && run.stale.length === 0) return task.skip(`${title}: skipped, robot is up to date`);
      try {
        const note = await run.clock.time(title, () => work(task as unknown as Task));
        if (note) task.title = `${title}: ${note}`;
      } catch (error) {
        run.error ??= (error as Error).message;
        throw error;
      }
    },
  });
  const steps = [
    step('connect', (task) => connectStep(ctx, run, (text) => (task.output = text)), false),
    step('check robot', () => probeStep(ctx, run), false),
    step('compare with the build', () => compareStep(ctx, run), false),
    step('registry', (task) => registryStep(ctx, run, (text) => (task.output = text))),
    step('tunnel', () => tunnelStep(ctx, run)),
    step('push', (task) => pushStep(ctx, run, throttle(task, interactive ? 200 : 5000))),
    step('pull & tag', () => pullStep(ctx, run)),
    ...(run.robot.after ? [step('after', () => afterStep(run))] : []),
  ];
  return [
    ...steps,
    { title: 'clean up', task: () => run.clock.time('clean up', () => closeRobot(ctx, run)) },
  ];
}

export function robotTitle(run: RobotRun): string {
  return `${run.robot.name} (${formatSshTarget(run.robot.target)}, ${run.robot.platform})`;
}
