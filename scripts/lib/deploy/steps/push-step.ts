import { megabytes, shortId } from '../../cli/display-format.ts';
import { buildxPush, parsePushDigest, pushImage, tagImage, untagImage } from '../../commands/local-docker.ts';
import { registryRef } from '../../commands/robot-docker.ts';
import { linkRatesFile, recordLinkRate } from '../../delta/link-rates.ts';
import { runChecked } from '../../runner/runner.ts';
import { linkKey, shipImage } from '../../upload/ship-image.ts';
import { buildFor, type DeployContext, type RobotRun } from '../context.ts';
import { metadataValue } from '../laptop-build.ts';
import { withStallGuard } from '../stall-guard.ts';
import { withTempFile } from '../temp-file.ts';
import { keepForNextDelta } from './delta-basis.ts';
import { withReconnect } from './reconnect.ts';

/**
 * The post's step 4 (laptop side): only layers the robot's registry lacks cross the tunnel. By
 * `docker push` where the engine's daemon reaches the tunnel (push-route.ts), else, and wherever a
 * delta is wanted, by robot-deploy's own upload.
 */
export async function pushStep(
  ctx: DeployContext,
  run: RobotRun,
  progress: (text: string) => void,
  report: (text: string) => void,
): Promise<string> {
  let deltaBytes = 0;
  const notes: string[] = [];
  const sent = () => (run.tunnelIfAny?.bytesToRobot() ?? 0) + deltaBytes;
  const route = await ctx.pushRoute();
  // The registry takes only missing layers, so the image's size is an upper bound, not a promise.
  const sizes = await Promise.all(run.stale.map((ws) => buildFor(ctx, run, ws).result.promise.then((b) => b.sizeBytes ?? 0)));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const ofTotal = total ? ` of at most ${megabytes(total)}` : '';
  const timer = setInterval(() => progress(`sent ${megabytes(sent())}${ofTotal} through the tunnel`), 500);
  const limitSeconds = ctx.config.link.robotTimeoutSeconds;
  try {
    for (const ws of run.stale) {
      const job = buildFor(ctx, run, ws);
      const built = await job.result.promise;
      // Uploads cross the tunnel, whose counter sees them; a delta's literals travel as robot commands, counted here.
      const shipped = await shipImage(ctx, run, ws, route, report, (bytes) => (deltaBytes += bytes));
      if ('digest' in shipped) {
        notes.push(shipped.note);
        run.digests.set(ws, shipped.digest);
        run.configDigests.set(ws, shipped.configDigest);
        await keepForNextDelta(ctx, ws, built.localId);
        continue;
      }
      notes.push(`${ws}: docker push (${shipped.push})`);
      const [bytesBefore, startedAt] = [sent(), performance.now()];
      const digest = await withReconnect(
        ctx,
        run,
        `the push of ${ws}`,
        (signal) => {
          let output = 0;
          const stalled = () =>
            new Error(
              `the push of ${ws} to ${run.robot.name} made no progress for ${limitSeconds} s (no bytes through the tunnel, no output from docker); ` +
                `check the robot's registry with \`docker logs robot-deploy-registry\` there, or raise ROBOT_TIMEOUT_SECONDS in robots.env`,
            );
          return withStallGuard(
            () => sent() + output,
            limitSeconds * 1000,
            stalled,
            (stall) => {
              const options = {
                signal: AbortSignal.any([signal, stall]),
                onOutput: (chunk: string) => (output += chunk.length),
              };
              // The tunnel's port can change when a dropped link is reconnected, so the target is rebuilt per attempt.
              const target = registryRef(`${route.registryHost}:${run.tunnel.port}`, ctx.config.image, ws);
              // An image in `docker images` (any builder but docker-container) is pushed as it is: buildx's
              // type=registry would re-solve the build first (0.55 s against docker push's 0.14 s here).
              return run.tunnel.use(() =>
                built.localId ? pushWithDocker(ctx, built.localId, target, options) : pushWithBuildx(ctx, job.spec, target, options),
              );
            },
          );
        },
        report,
      );
      run.digests.set(ws, digest);
      // DELTA=auto weighs the next delta against a push at this rate.
      if (!ctx.recorded) recordLinkRate(linkRatesFile(), linkKey(run), sent() - bytesBefore, (performance.now() - startedAt) / 1000);
      await keepForNextDelta(ctx, ws, built.localId);
    }
  } finally {
    clearInterval(timer);
  }
  return `${run.stale.join(', ')}: ${megabytes(sent())} sent; ${notes.join('; ')}`;
}

type PushOptions = { signal: AbortSignal; onOutput: (chunk: string) => void };

/** Tags the exact image built (by ID) for the tunnel's registry, pushes, and drops the tag again. */
async function pushWithDocker(ctx: DeployContext, builtId: string, target: string, options: PushOptions): Promise<string> {
  await runChecked(ctx.local, tagImage(builtId, target), `tagging ${shortId(builtId)} for the push`);
  const removeTag = ctx.teardown.add(`temporary tag ${target}`, async () => void (await ctx.localTeardown.run(untagImage(target))));
  try {
    const pushed = await runChecked(ctx.local, pushImage(target), `docker push ${target}`, options);
    const digest = parsePushDigest(pushed.stdout);
    if (!digest) throw new Error(`docker push ${target} printed no digest`);
    return digest;
  } finally {
    await removeTag();
  }
}

async function pushWithBuildx(
  ctx: DeployContext,
  spec: Parameters<typeof buildxPush>[0],
  target: string,
  options: PushOptions,
): Promise<string> {
  return withTempFile('metadata.json', async (metadataFile) => {
    await runChecked(ctx.local, buildxPush(spec, target, metadataFile), `docker buildx build --output type=registry to ${target}`, options);
    const digest = metadataValue(metadataFile, 'containerimage.digest');
    if (!digest) throw new Error(`buildx pushed ${target} but reported no digest`);
    return digest;
  });
}
