// Step 4 by robot-deploy's own upload. `docker push` is performed by the engine's daemon, from wherever
// it runs; this reads the image out of the engine through the CLI and sends what the robot's registry
// lacks through the tunnel itself: each new layer rebuilt on the robot by delta where that pays (see
// delta/), else gzipped whole. The push step takes this route where the engine's daemon cannot reach
// the tunnel, and wherever a delta is wanted.
import { megabytes } from '../cli/display-format.ts';
import { imageRef } from '../commands/robot-docker.ts';
import { decideDelta } from '../delta/delta-decision.ts';
import { linkRate, linkRatesFile } from '../delta/link-rates.ts';
import { diffIdsOfFingerprint } from '../delta/manifest.ts';
import { buildFor, type DeployContext, type RobotRun } from '../deploy/context.ts';
import type { PushRoute } from '../deploy/push-route.ts';
import { RegistryClient } from '../net/registry-client.ts';
import { firstImageIn, layersOnRobot } from './registry-images.ts';
import { sendImage } from './send-image.ts';
import { type DeltaChoice, type EarlierImage, planUpload, type UploadPlan } from './upload-plan.ts';
import { rememberedLayers, uploadedLayersFile } from './uploaded-layers.ts';

/** A basis layer (as the registry stores it) smaller than this is not worth a delta. */
const WORTH_A_DELTA = 512 * 1024;

/** Shipped: the manifest the robot pulls, and its config (the image's ID on a classic robot). Else why the caller should docker push. */
export type ShipOutcome = { digest: string; configDigest: string; note: string } | { push: string };

/** Where DELTA=auto finds this robot's measured link rate. */
export const linkKey = (run: RobotRun): string =>
  `${run.robot.name} ${run.robot.target.user ?? ''}@${run.robot.target.host}:${run.robot.target.port ?? 22}`;

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
  const built = await buildFor(ctx, run, ws).result.promise;
  const localId = built.localId;
  if (!localId) return { push: "no delta: the image is not in the laptop's docker images (docker-container builder)" };
  const newDiffIds = diffIdsOfFingerprint(built.fingerprint);
  if (!newDiffIds) return { push: 'no delta: the layers of the new image are unknown' };
  const registry = new RegistryClient(() => run.tunnel.port, ctx.config.image);
  try {
    const planned = await run.tunnel.use(() => plan(ctx, run, ws, registry, newDiffIds, noDelta, report));
    const why = [...(noDelta ? [noDelta] : []), ...planned.noDelta].join('; ');
    if (route.kind === 'docker push' && !planned.layers.some((layer) => 'basis' in layer)) return { push: why || 'no layer to rebuild' };
    return await sendImage(ctx, run, ws, { ...built, localId }, newDiffIds, planned, registry, report, onBytes, why);
  } finally {
    registry.close();
  }
}

/** Why this workspace cannot go by delta to this robot at all, before anything is read. */
function whyNoDelta(ctx: DeployContext, run: RobotRun, ws: string): string | undefined {
  if (ctx.recorded) return 'no delta in a dry run';
  if (ctx.noDelta) return 'delta off by --no-delta';
  if (run.robot.delta === false) return `delta off: DELTA=on (or ${run.robot.envPrefix}_DELTA=on) in robots.env turns it on`;
  if (!run.remoteIfProbed?.images.get(imageRef(ctx.config.image, ws))) return 'no delta: first deploy of this workspace to the robot';
  return undefined;
}

export type ShipPlan = UploadPlan & { earlier?: EarlierImage };

async function plan(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  registry: RegistryClient,
  newDiffIds: readonly string[],
  noDelta: string | undefined,
  report: (text: string) => void,
): Promise<ShipPlan> {
  const [onRobot, earlier] = await Promise.all([
    layersOnRobot(registry, run.robot.platform, newDiffIds, rememberedLayers(uploadedLayersFile())),
    noDelta ? undefined : earlierImage(ctx, run, ws, registry),
  ]);
  if (noDelta) return planUpload(newDiffIds, onRobot);
  if (typeof earlier === 'string') return { ...planUpload(newDiffIds, onRobot), noDelta: [earlier] };
  return { ...planUpload(newDiffIds, onRobot, earlier, deltaChoice(run, ws, report)), earlier };
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

function deltaChoice(run: RobotRun, ws: string, report: (text: string) => void): DeltaChoice {
  return ({ diffId, blob }) => {
    // Reading both images with docker save costs about a second per 500 MB: not worth it for small layers.
    if (blob.size < WORTH_A_DELTA)
      return { delta: false, why: `no delta: the earlier layers are under ${megabytes(WORTH_A_DELTA)}, a push costs as little` };
    if (run.robot.delta !== 'auto') return { delta: true, why: '' };
    const verdict = decideDelta({
      basisBlobBytes: blob.size,
      basisUncompressed: blob.digest === diffId,
      bitsPerSecond: linkRate(linkRatesFile(), linkKey(run)),
    });
    if (verdict.delta) report(`${ws}: delta (${verdict.why})`);
    return verdict;
  };
}
