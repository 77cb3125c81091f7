import { megabytes } from '../../cli/display-format.ts';
import { imageRef, registryRef } from '../../commands/robot-docker.ts';
import { PhaseClock } from '../../delta/phase-clock.ts';
import { linkKey } from '../../link/link-key.ts';
import { linkRatesFile, recordLinkRate } from '../../link/link-rates.ts';
import { withReconnect } from '../../link/reconnect.ts';
import { withStallGuard } from '../../link/stall-guard.ts';
import { pushWithBuildx, pushWithDocker } from '../../push/docker-push.ts';
import { shipImage, whyNoDelta } from '../../push/ship-image.ts';
import { buildFor, type DeployContext, isInteractive } from '../context.ts';
import type { RobotRun } from '../robot-run.ts';
import type { RobotStep } from '../robot-step.ts';

/**
 * The post's step 4 (laptop side): only layers the robot's registry lacks cross the tunnel. By
 * `docker push` where the engine's daemon reaches the tunnel (push/push-route.ts), else, and wherever
 * a delta is wanted, by robot-deploy's own upload (push/ship-image.ts).
 */
export const push: RobotStep = {
  title: 'push',
  shipsImages: true,
  needsBuilds: true,
  run: (ctx, run, show) => pushStale(ctx, run, throttle(show, isInteractive(ctx) ? 200 : 5000), show),
};

/** Progress lines at most this often: a terminal redraws, a CI log should not fill up. */
function throttle(show: (text: string) => void, everyMs: number): (text: string) => void {
  let last = 0;
  return (text) => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    show(text);
  };
}

async function pushStale(
  ctx: DeployContext,
  run: RobotRun,
  progress: (text: string) => void,
  report: (text: string) => void,
): Promise<string> {
  let deltaBytes = 0;
  const notes: string[] = [];
  const sent = () => (run.link.tunnelIfAny?.bytesToRobot() ?? 0) + deltaBytes;
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
      const earlier = run.remote.images.get(imageRef(ctx.config.image, ws));
      const shipped = await shipImage(
        {
          laptop: ctx,
          image: ctx.config.image,
          ws,
          build: job,
          robot: run.robot,
          link: run.link,
          earlier,
          noDelta: whyNoDelta(run.robot, earlier, { dryRun: Boolean(ctx.recorded), noDelta: ctx.noDelta }),
          report,
          // Uploads cross the tunnel, whose counter sees them; a delta's literals travel as robot commands, counted here.
          onBytes: (bytes) => (deltaBytes += bytes),
          phases: new PhaseClock(),
        },
        route,
      );
      if ('digest' in shipped) {
        notes.push(shipped.note);
        run.digests.set(ws, shipped.digest);
        run.configDigests.set(ws, shipped.configDigest);
        continue;
      }
      notes.push(`${ws}: docker push (${shipped.push})`);
      const [bytesBefore, startedAt] = [sent(), performance.now()];
      const digest = await withReconnect(
        run.link,
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
              const target = registryRef(`${route.registryHost}:${run.link.tunnel.port}`, ctx.config.image, ws);
              // An image in `docker images` (any builder but docker-container) is pushed as it is: buildx's
              // type=registry would re-solve the build first (0.55 s against docker push's 0.14 s here).
              return run.link.tunnel.use(() =>
                built.localId ? pushWithDocker(ctx, built.localId, target, options) : pushWithBuildx(ctx, job.spec, target, options),
              );
            },
          );
        },
        report,
      );
      run.digests.set(ws, digest);
      // DELTA=auto weighs the next delta against a push at this rate.
      if (!ctx.recorded) recordLinkRate(linkRatesFile(), linkKey(run.robot), sent() - bytesBefore, (performance.now() - startedAt) / 1000);
    }
  } finally {
    clearInterval(timer);
  }
  return `${run.stale.join(', ')}: ${megabytes(sent())} sent; ${notes.join('; ')}`;
}
