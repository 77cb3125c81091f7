// Step 4 without `docker push` through the tunnel, which the engine's daemon performs from wherever it
// runs (see deploy/push-route.ts). robot-deploy sends what the robot's registry lacks itself: copied
// from the registry kept in a laptop engine that runs in a VM ("staged"), or read with docker save
// ("upload"); each new layer rebuilt on the robot by delta where that pays (see delta/). The docker
// push route comes here too when a delta is wanted.
import { megabytes } from '../cli/display-format.ts';
import { imageRef, registryRef } from '../commands/robot-docker.ts';
import { decideDelta } from '../delta/delta-decision.ts';
import { diffIdsOfFingerprint } from '../delta/manifest.ts';
import { PhaseClock } from '../delta/phase-clock.ts';
import { type BuildJob, buildFor, type DeployContext } from '../deploy/context.ts';
import type { RobotRun } from '../deploy/robot-run.ts';
import { withStallGuard } from '../deploy/stall-guard.ts';
import { linkKey } from '../link/link-key.ts';
import { measureLink } from '../link/link-probe.ts';
import { FRESH_FOR_MS, linkRate, linkRatesFile } from '../link/link-rates.ts';
import { withReconnect } from '../link/reconnect.ts';
import { RegistryClient } from '../net/registry-client.ts';
import { copyImage } from './copy-image.ts';
import { pushWithDocker } from './docker-push.ts';
import { gzipLevelFor } from './gzip-level.ts';
import type { PushRoute } from './push-route.ts';
import { firstImageIn, layersOnRobot } from './registry-images.ts';
import { withSaveSource } from './saved-layers.ts';
import { type Sent, sendImage } from './send-image.ts';
import { withStagingSource } from './staging-source.ts';
import { type DeltaChoice, type EarlierImage, planUpload, type UploadPlan } from './upload-plan.ts';
import { rememberedLayers, uploadedLayersFile } from './uploaded-layers.ts';

/** A basis layer (as the registry stores it) smaller than this is not worth a delta. */
const WORTH_A_DELTA = 512 * 1024;

/** Shipped: the manifest the robot pulls and its config digest (the image's ID on a classic robot). Else why the caller docker-pushes. */
export type ShipOutcome = Sent | { push: string };

type Events = { report: (text: string) => void; onBytes: (bytes: number) => void; phases: PhaseClock };

export async function shipImage(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  route: PushRoute,
  report: (text: string) => void,
  onBytes: (bytes: number) => void,
): Promise<ShipOutcome> {
  const noDelta = whyNoDelta(ctx, run, ws);
  if (route.kind === 'docker push' && noDelta) return { push: noDelta };
  const job = buildFor(ctx, run, ws);
  const built = await job.result.promise;
  const localId = built.localId;
  if (!localId) return { push: "no delta: the image is not in the laptop's docker images (docker-container builder)" };
  const newDiffIds = diffIdsOfFingerprint(built.fingerprint);
  if (!newDiffIds) return { push: 'no delta: the layers of the new image are unknown' };
  const events: Events = { report, onBytes, phases: new PhaseClock() };
  const stagingPort = route.stagingPort;
  const staged = stagingPort ? await stageImage(ctx, job, localId, stagingPort) : undefined;
  if (staged) events.phases.lap('push into the engine');
  const registry = new RegistryClient(() => run.link.tunnel.port, ctx.config.image);
  const staging = stagingPort ? new RegistryClient(() => stagingPort, ctx.config.image) : undefined;
  try {
    if (staging && staged && noDelta) return await copyWhole(ctx, run, ws, staging, registry, staged, noDelta, events);
    const planned = await run.link.tunnel.use(() => plan(ctx, run, ws, route, registry, newDiffIds, noDelta, report));
    events.phases.lap('plan');
    const why = [...(noDelta ? [noDelta] : []), ...planned.noDelta].join('; ');
    const deltas = planned.layers.some((layer) => 'basis' in layer);
    if (route.kind === 'docker push' && !deltas) return { push: why || 'no layer to rebuild' };
    if (staging && staged) {
      if (!deltas) return await copyWhole(ctx, run, ws, staging, registry, staged, why, events);
      const earlier = run.remote.images.get(imageRef(ctx.config.image, ws))?.digests ?? [];
      return await withStagingSource(ctx, staging, [staged, ...earlier], run.robot.platform, (source) =>
        sendImage(ctx, run, ws, planned, source, registry, events, why),
      );
    }
    const level = gzipLevelFor(linkRate(linkRatesFile(), linkKey(run)));
    return await withSaveSource(ctx, ws, { ...built, localId }, newDiffIds, planned, level, (source) => {
      events.phases.lap('save');
      return sendImage(ctx, run, ws, planned, source, registry, events, why);
    });
  } finally {
    registry.close();
    staging?.close();
  }
}

/** The one push into the laptop engine's registry per build, whatever number of robots it goes to. */
function stageImage(ctx: DeployContext, job: BuildJob, localId: string, port: number): Promise<string> {
  const target = registryRef(`127.0.0.1:${port}`, ctx.config.image, job.ws);
  job.staged ??= pushWithDocker(ctx, localId, target, { signal: ctx.signal, onOutput: () => undefined });
  return job.staged;
}

/** The image as the engine pushed it, every blob the robot lacks streamed on; resent after a reconnect. */
async function copyWhole(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  staging: RegistryClient,
  registry: RegistryClient,
  digest: string,
  why: string,
  { report, phases }: Events,
): Promise<Sent> {
  const seconds = ctx.config.link.robotTimeoutSeconds;
  const stalled = () =>
    new Error(`copying ${ws} to ${run.robot.name} made no progress for ${seconds} s; raise ROBOT_TIMEOUT_SECONDS for a slow link`);
  const copied = await withReconnect(
    run.link,
    `the copy of ${ws}`,
    (signal) =>
      withStallGuard(
        () => run.link.tunnelIfAny?.bytesToRobot() ?? 0,
        seconds * 1000,
        stalled,
        (stall) =>
          run.link.tunnel.use(() => copyImage(staging, registry, digest, ws, run.robot.platform, AbortSignal.any([signal, stall]))),
      ),
    report,
  );
  phases.lap('copy');
  const note = `${ws}: copied from the engine's registry, ${megabytes(copied.bytes)} the robot lacked${why ? ` (${why})` : ''} (${phases.text()})`;
  return { digest, configDigest: copied.configDigest, note };
}

/** Why this workspace cannot go by delta to this robot at all, before anything is read. */
function whyNoDelta(ctx: DeployContext, run: RobotRun, ws: string): string | undefined {
  if (ctx.recorded) return 'no delta in a dry run';
  if (ctx.noDelta) return 'delta off by --no-delta';
  if (run.robot.delta === false) return `delta off by DELTA=off or ${run.robot.envPrefix}_DELTA=off in robots.env`;
  if (!run.remoteIfProbed?.images.get(imageRef(ctx.config.image, ws))) return 'no delta: first deploy of this workspace to the robot';
  return undefined;
}

async function plan(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  route: PushRoute,
  registry: RegistryClient,
  newDiffIds: readonly string[],
  noDelta: string | undefined,
  report: (text: string) => void,
): Promise<UploadPlan & { earlier?: EarlierImage }> {
  const [onRobot, earlier] = await Promise.all([
    layersOnRobot(registry, run.robot.platform, newDiffIds, rememberedLayers(uploadedLayersFile())),
    noDelta ? undefined : earlierImage(ctx, run, ws, registry),
  ]);
  if (!earlier) return planUpload(newDiffIds, onRobot);
  if (typeof earlier === 'string') return { ...planUpload(newDiffIds, onRobot), noDelta: [earlier] };
  const worthWeighing = newDiffIds.some(
    (diffId, i) => !onRobot.has(diffId) && earlier.layers[Math.min(i, earlier.layers.length - 1)].size >= WORTH_A_DELTA,
  );
  const rate = run.robot.delta === 'auto' && worthWeighing ? await currentRate(ctx, run) : undefined;
  return { ...planUpload(newDiffIds, onRobot, earlier, deltaChoice(run, ws, route, rate, report)), earlier };
}

/** The link's rate as this deploy finds it: measured by a transfer in the last minutes, else now. */
async function currentRate(ctx: DeployContext, run: RobotRun): Promise<number> {
  return linkRate(linkRatesFile(), linkKey(run), FRESH_FOR_MS) ?? (await measureLink(ctx, run));
}

/**
 * The robot's image as pulled from its registry; else (another tool tagged IMAGE:WS since) what this
 * tool last shipped there, which the registry keeps under the tag WS.
 */
async function earlierImage(ctx: DeployContext, run: RobotRun, ws: string, registry: RegistryClient): Promise<EarlierImage | string> {
  const earlier = run.remote.images.get(imageRef(ctx.config.image, ws));
  const found = await firstImageIn(registry, [...(earlier?.digests ?? []), ws], run.robot.platform);
  if (!found) return "no delta: the robot's registry has no earlier image of this workspace (pruned, or another tool deployed it)";
  const diffIds = found.image.diffIds ?? (found.reference === ws ? undefined : diffIdsOfFingerprint(earlier?.fingerprint));
  if (!diffIds || diffIds.length !== found.image.layers.length) return 'no delta: the layers of the earlier image are unknown';
  return { layers: found.image.layers, diffIds };
}

function deltaChoice(
  run: RobotRun,
  ws: string,
  route: PushRoute,
  bitsPerSecond: number | undefined,
  report: (text: string) => void,
): DeltaChoice {
  return ({ diffId, blob }) => {
    // Reading both images costs about a second per 500 MB: not worth it for small layers.
    if (blob.size < WORTH_A_DELTA)
      return { delta: false, why: `no delta: the earlier layers are under ${megabytes(WORTH_A_DELTA)}, a push costs as little` };
    if (run.robot.delta !== 'auto' || bitsPerSecond === undefined) return { delta: true, why: '' };
    const verdict = decideDelta({ basisBlobBytes: blob.size, basisUncompressed: blob.digest === diffId, bitsPerSecond, route: route.kind });
    if (verdict.delta) report(`${ws}: delta (${verdict.why})`);
    return verdict;
  };
}
