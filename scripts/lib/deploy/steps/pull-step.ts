import { afterDeploy, digestRef, imageRef, parsePullAndTag, previousRef, pullAndTag } from '../../commands/robot-docker.ts';
import { runChecked, lastLines } from '../../runner/runner.ts';
import { buildFor, type DeployContext, type RobotRun } from '../context.ts';
import { withReconnect } from './reconnect.ts';

/** The post's step 4 (robot side): pull from the robot's own registry, then move IMAGE:WS. */
export async function pullStep(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<string> {
  const lines: string[] = [];
  for (const ws of run.stale) {
    const built = await buildFor(ctx, run, ws).result.promise;
    const source = digestRef(`127.0.0.1:${run.registryPort}`, ctx.config.image, run.digests.get(ws)!);
    const target = imageRef(ctx.config.image, ws);
    const argv = pullAndTag(source, target, previousRef(ctx.config.image, ws), built.id);
    // Pull by digest and tag are idempotent, so after a dropped link the whole script simply runs again.
    const result = await withReconnect(ctx, run, `the pull of ${ws}`, () => runChecked(run.runner!, argv, `pull and tag of ${target}`), report);
    const { previous } = parsePullAndTag(result.stdout);
    run.outcomes.set(ws, { kind: 'deployed', id: built.id, previous });
    lines.push(`${target} = ${built.id.slice(7, 19)}${previous ? `, previous kept as ${previousRef(ctx.config.image, ws)}` : ''}`);
  }
  return lines.join('; ');
}

/** Optional <NAME>_AFTER, e.g. restarting the compose service that runs the new image. */
export async function afterStep(run: RobotRun): Promise<string> {
  const result = await run.runner!.run(afterDeploy(run.robot.after!));
  run.afterOutput = `${result.stdout}${result.stderr}`.trim();
  if (result.code !== 0) {
    throw new Error(`deployed, but ${run.robot.envPrefix}_AFTER failed (exit ${result.code}): ${lastLines(result.stderr || result.stdout, 3)}`);
  }
  return run.afterOutput ? lastLines(run.afterOutput, 3) : 'done';
}
