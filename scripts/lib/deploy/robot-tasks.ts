import type { ListrTask } from 'listr2';
import { formatSshTarget } from '../config/ssh-target.ts';
import type { DeployContext } from './context.ts';
import type { RobotRun } from './robot-run.ts';
import type { RobotStep } from './robot-step.ts';
import { beforeRobotStep } from './step-hooks.ts';

/** After the last step: the post's clean-up closes the link; deploy --watch only gives the robot's lock back. */
export type Finish = 'close' | 'release';

/**
 * One flat list per robot, one task per step. A failed step skips the rest, but clean-up always
 * runs. After a compare, steps that ship images skip robots already up to date.
 */
export function robotTasks(ctx: DeployContext, run: RobotRun, steps: readonly RobotStep[], finish: Finish): ListrTask<DeployContext>[] {
  const compared = steps.some((step) => step.comparesBuild);
  const tasks = steps
    .filter((step) => !step.appliesTo || step.appliesTo(run.robot))
    .map(
      (step): ListrTask<DeployContext> => ({
        title: step.title,
        task: async (_ctx, task) => {
          if (run.error) return task.skip(`${step.title}: skipped (${run.robot.name} failed earlier)`);
          if (compared && step.shipsImages && run.stale.length === 0) return task.skip(`${step.title}: skipped, robot is up to date`);
          const show = (text: string) => {
            task.output = text;
          };
          try {
            for (const hook of beforeRobotStep) await hook(step.title, ctx.signal, show);
            const dry = ctx.recorded ? step.dryRun : undefined;
            const work = dry ? () => dry(ctx, run) : () => step.run(ctx, run, show);
            const note = await run.clock.time(step.title, work);
            if (note) task.title = `${step.title}: ${note}`;
          } catch (error) {
            run.error ??= (error as Error).message;
            throw error;
          }
        },
      }),
    );
  return [
    ...tasks,
    { title: 'clean up', task: () => run.clock.time('clean up', () => (finish === 'close' ? run.link.close() : run.link.release())) },
  ];
}

export function robotTitle(run: RobotRun): string {
  return `${run.robot.name} (${formatSshTarget(run.robot.target)}, ${run.robot.platform})`;
}
