import { shortId } from '../../cli/display-format.ts';
import { digestRef, imageRef, parsePullAndTag, previousRef, pullAndTag as pullAndTagCommand } from '../../commands/robot-docker.ts';
import { ROBOT_LOCK_WAIT_SECONDS } from '../../commands/robot-lock-script.ts';
import { keepForNextDelta } from '../../delta/delta-basis.ts';
import { pullDeadlineMs } from '../../link/deadlines.ts';
import { withReconnect } from '../../link/reconnect.ts';
import { runChecked } from '../../runner/runner.ts';
import { buildFor, type DeployContext } from '../context.ts';
import type { RobotRun } from '../robot-run.ts';
import type { RobotStep } from '../robot-step.ts';

/** The post's step 4 (robot side): pull from the robot's own registry, then move IMAGE:WS. */
export const pullAndTag: RobotStep = {
  title: 'pull & tag',
  shipsImages: true,
  deploys: true,
  run: (ctx, run, show) => pullStale(ctx, run, show),
};

async function pullStale(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<string> {
  const lines: string[] = [];
  for (const ws of run.stale) {
    const built = await buildFor(ctx, run, ws).result.promise;
    const digest = run.digests.get(ws);
    if (!digest) throw new Error(`internal error: ${ws} has no pushed digest for ${run.robot.name}; the "push" step makes it`);
    const source = digestRef(`127.0.0.1:${run.registryPort}`, ctx.config.image, digest);
    const target = imageRef(ctx.config.image, ws);
    const config = run.configDigests.get(ws);
    const argv = pullAndTagCommand(source, target, previousRef(ctx.config.image, ws), [built.id, digest, ...(config ? [config] : [])]);
    // The tag moves under the robot's lock, which a rollback or prune may hold meanwhile.
    const timeoutMs = pullDeadlineMs(ctx.config.link.robotTimeoutSeconds, built.sizeBytes) + ROBOT_LOCK_WAIT_SECONDS * 1000;
    // The laptop's tag for the next delta goes on while the robot pulls; --no-delta is this deploy's, not the next one's.
    // It is best effort: without it the next deploy sends whole layers, so a failure is a note, never this robot's error.
    const kept =
      built.localId && !ctx.recorded && run.robot.delta !== false
        ? keepForNextDelta(ctx.local, ctx.config.image, ws, built.localId).then(
            () => undefined,
            (error: Error) => error.message.split('\n')[0],
          )
        : undefined;
    // Pull by digest and tag are idempotent, so after a dropped link the whole script simply runs again.
    const result = await withReconnect(
      run.link,
      `the pull of ${ws}`,
      () => runChecked(run.link.runner, argv, `pull and tag of ${target}`, { timeoutMs }),
      report,
    );
    const notKept = await kept;
    if (notKept)
      ctx.notices.push(
        `the laptop could not tag ${target} as the next delta's basis (${notKept}); the next deploy of it sends whole layers`,
      );
    const { deployed, previous } = parsePullAndTag(result.stdout);
    run.outcomes.set(ws, { kind: 'deployed', id: built.id, previous });
    // What the robot holds now, for deploy --watch's next redeploy, which does not ask it again.
    if (deployed) run.remote.images.set(target, { id: deployed, digests: [digest], fingerprint: built.fingerprint });
    lines.push(`${target} = ${shortId(built.id)}${previous ? `, previous kept as ${previousRef(ctx.config.image, ws)}` : ''}`);
  }
  return lines.join('; ');
}
