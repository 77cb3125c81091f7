// The optional steps after the pull & tag: <NAME>_COMPOSE and <NAME>_AFTER restart services on the new image.

import { composeUp } from '../../commands/robot-compose.ts';
import { afterDeploy } from '../../commands/robot-docker.ts';
import { lastLines } from '../../runner/runner.ts';
import type { DeployContext, RobotRun } from '../context.ts';

/** Optional <NAME>_COMPOSE: `docker compose up -d` recreates the services whose image changed. */
export async function composeStep(ctx: DeployContext, run: RobotRun): Promise<string> {
  const { compose } = run.robot;
  if (!compose) return 'no COMPOSE set';
  const output = await runAfterDeploy(ctx, run, composeUp(compose), `${run.robot.envPrefix}_COMPOSE=${compose}`);
  return lastLines(output.stdout, 3);
}

/** Optional <NAME>_AFTER, e.g. restarting the compose service that runs the new image. */
export async function afterStep(ctx: DeployContext, run: RobotRun): Promise<string> {
  const { after } = run.robot;
  if (!after) return 'no AFTER set';
  const output = await runAfterDeploy(ctx, run, afterDeploy(after), `${run.robot.envPrefix}_AFTER`);
  const said = `${output.stdout}${output.stderr}`.trim();
  return said ? lastLines(said, 3) : 'done';
}

/** A command that restarts services on the new image; the image is already deployed when it fails. */
async function runAfterDeploy(
  ctx: DeployContext,
  run: RobotRun,
  argv: string[],
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  // A compose restart may stop and start several services: five times the usual deadline.
  const result = await run.runner.run(argv, { timeoutMs: 5 * ctx.config.link.robotTimeoutSeconds * 1000 });
  if (result.code !== 0)
    throw new Error(`deployed, but ${what} failed (exit ${result.code}): ${lastLines(result.stderr || result.stdout, 3)}`);
  return result;
}
