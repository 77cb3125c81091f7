// The optional steps after the pull & tag: <NAME>_COMPOSE and <NAME>_AFTER restart services on the new image.

import { composeUp } from '../../commands/robot-compose.ts';
import { afterDeploy } from '../../commands/robot-docker.ts';
import { lastLines } from '../../runner/runner.ts';
import type { DeployContext } from '../context.ts';
import type { RobotRun } from '../robot-run.ts';
import type { RobotStep } from '../robot-step.ts';

/** Optional <NAME>_COMPOSE: `docker compose up -d` recreates the services whose image changed. */
export const compose: RobotStep = {
  title: 'compose',
  shipsImages: true,
  appliesTo: (robot) => Boolean(robot.compose),
  async run(ctx, run) {
    const file = run.robot.compose ?? '';
    const output = await runAfterDeploy(ctx, run, composeUp(file), `${run.robot.envPrefix}_COMPOSE=${file}`);
    return lastLines(output.stdout, 3);
  },
};

/** Optional <NAME>_AFTER: any shell command, e.g. restarting a systemd unit that runs the new image. */
export const after: RobotStep = {
  title: 'after',
  shipsImages: true,
  appliesTo: (robot) => Boolean(robot.after),
  async run(ctx, run) {
    const output = await runAfterDeploy(ctx, run, afterDeploy(run.robot.after ?? ''), `${run.robot.envPrefix}_AFTER`);
    const said = `${output.stdout}${output.stderr}`.trim();
    return said ? lastLines(said, 3) : 'done';
  },
};

/** A command that restarts services on the new image; the image is already deployed when it fails. */
async function runAfterDeploy(
  ctx: DeployContext,
  run: RobotRun,
  argv: string[],
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  // A compose restart may stop and start several services: five times the usual deadline.
  const result = await run.link.runner.run(argv, { timeoutMs: 5 * ctx.config.link.robotTimeoutSeconds * 1000 });
  if (result.code !== 0)
    throw new Error(`deployed, but ${what} failed (exit ${result.code}): ${lastLines(result.stderr || result.stdout, 3)}`);
  return result;
}
