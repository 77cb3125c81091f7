// Step 4 by delta: instead of `docker push`ing a rebuilt layer whole, send only the bytes the robot
// lacks and let it rebuild the layer from the earlier one it holds (see commands/robot-delta.ts for
// what runs there). Any reason it cannot help, and any failure, falls back to the push, said aloud.

import { megabytes } from '../../cli/display-format.ts';
import { tagImage } from '../../commands/local-docker.ts';
import { imageRef } from '../../commands/robot-docker.ts';
import { decideDelta } from '../../delta/delta-decision.ts';
import { linkRate, linkRatesFile } from '../../delta/link-rates.ts';
import { composeManifest, diffIdsOfFingerprint, planLayers, sha256Digest } from '../../delta/manifest.ts';
import { hasBlob, putManifest, uploadBlob } from '../../delta/registry-api.ts';
import { type BuiltImage, buildFor, type DeployContext, type RobotRun } from '../context.ts';
import type { ImageIdentity } from '../image-identity.ts';
import { cachedIndexes, earlierImage } from './delta-basis.ts';
import { sendLayer } from './delta-send.ts';
import { findLocalImage, prepareDelta } from './delta-source.ts';
import { PhaseClock } from './phase-clock.ts';
import { withReconnect } from './reconnect.ts';

/**
 * The laptop keeps what it shipped under this tag, so the next deploy finds the image the robot then
 * holds: the containerd store drops an image whose tag a rebuild moved (the classic store keeps it).
 */
export const basisRef = (image: string, ws: string): string => `${image}:${ws}.delta-basis`;

export async function keepForNextDelta(ctx: DeployContext, ws: string, localId: string | undefined): Promise<void> {
  if (localId && !ctx.recorded) await ctx.local.run(tagImage(localId, basisRef(ctx.config.image, ws)));
}

/** Where DELTA=auto finds this robot's measured link rate. */
export const linkKey = (run: RobotRun): string =>
  `${run.robot.name} ${run.robot.target.user ?? ''}@${run.robot.target.host}:${run.robot.target.port ?? 22}`;

/** A basis layer (as the registry stores it) smaller than this is not worth a delta. */
const WORTH_A_DELTA = 512 * 1024;

export type DeltaOutcome = { digest: string; note: string } | { digest?: undefined; note: string };

/** What a delta starts from: the robot's earlier image, and the new one in the laptop's docker images. */
interface DeltaEnds {
  earlier: ImageIdentity;
  built: BuiltImage & { localId: string };
}

/** Ships `ws` by delta when it can; otherwise says why, and the caller pushes. `onBytes` counts what crossed the link. */
export async function deltaPush(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  report: (text: string) => void,
  onBytes: (bytes: number) => void,
): Promise<DeltaOutcome> {
  const ends = await deltaEnds(ctx, run, ws);
  if (typeof ends === 'string') return { note: ends };
  try {
    return await ship(ctx, run, ws, ends, report, onBytes);
  } catch (error) {
    // A link lost outside the batches' own reconnects is the push's to reconnect.
    if (ctx.signal.aborted) throw error;
    const note = `delta failed (${(error as Error).message}); sending it with docker push instead`;
    report(`${ws}: ${note}`);
    return { note };
  }
}

/** The two images a delta goes between, or why there is no delta. */
async function deltaEnds(ctx: DeployContext, run: RobotRun, ws: string): Promise<DeltaEnds | string> {
  if (ctx.recorded) return 'no delta in a dry run';
  if (ctx.noDelta) return 'delta off by --no-delta';
  if (run.robot.delta === false) return `delta off: DELTA=on (or ${run.robot.envPrefix}_DELTA=on) in robots.env turns it on`;
  const earlier = run.remoteIfProbed?.images.get(imageRef(ctx.config.image, ws));
  if (!earlier) return 'no delta: first deploy of this workspace to the robot';
  const built = await buildFor(ctx, run, ws).result.promise;
  const { localId } = built;
  if (!localId) return "no delta: the image is not in the laptop's docker images (docker-container builder)";
  return { earlier, built: { ...built, localId } };
}

async function ship(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  { earlier, built }: DeltaEnds,
  report: (text: string) => void,
  onBytes: (bytes: number) => void,
): Promise<DeltaOutcome> {
  const newDiffIds = diffIdsOfFingerprint(built.fingerprint);
  if (!newDiffIds) return { note: 'no delta: the layers of the new image are unknown' };
  const repo = ctx.config.image;
  const port = () => run.tunnel.port;
  const phases = new PhaseClock();
  // The robot's image as pulled from its registry; else (another tool tagged IMAGE:WS since) what
  // this tool last shipped there, which the registry keeps under the tag WS.
  const basisImage = await run.tunnel.use(() => earlierImage(port(), repo, [...earlier.digests, ws], run.robot.platform));
  if (!basisImage)
    return {
      note: "no delta: the robot's registry has no earlier image of this workspace (pruned, or another tool deployed it)",
    };
  const oldLayers = basisImage.layers;
  const oldDiffIds = basisImage.diffIds ?? (basisImage.digest === ws ? undefined : diffIdsOfFingerprint(earlier.fingerprint));
  if (!oldDiffIds || oldDiffIds.length !== oldLayers.length) return { note: 'no delta: the layers of the earlier image are unknown' };
  const plan = planLayers(newDiffIds, oldDiffIds, oldLayers);
  // The earlier image's layers that new ones are rebuilt from, by position.
  const bases = plan.layers.flatMap((layer) => ('basis' in layer ? [layer.basis] : []));
  // Reading both images with docker save costs about a second per 500 MB: not worth it for small layers.
  if (bases.length && Math.max(...bases.map((i) => oldLayers[i].size)) < WORTH_A_DELTA)
    return { note: `no delta: the earlier layers are under ${megabytes(WORTH_A_DELTA)}, a push costs as little` };
  if (run.robot.delta === 'auto' && bases.length) {
    const largest = bases.reduce((a, b) => (oldLayers[b].size > oldLayers[a].size ? b : a));
    const verdict = decideDelta({
      basisBlobBytes: oldLayers[largest].size,
      basisUncompressed: oldLayers[largest].digest === oldDiffIds[largest],
      bitsPerSecond: linkRate(linkRatesFile(), linkKey(run)),
    });
    if (!verdict.delta) return { note: verdict.why };
    report(`${ws}: delta (${verdict.why})`);
  }
  phases.lap('manifest');
  const cached = cachedIndexes(bases.map((i) => oldDiffIds[i]));
  const needOld = bases.some((i) => !cached.has(oldDiffIds[i]));
  const oldLocalId = needOld ? await findLocalImage(ctx, oldDiffIds, basisRef(repo, ws)) : undefined;
  phases.lap(needOld ? 'find' : 'index cached');
  if (needOld && !oldLocalId) return { note: 'no delta: the laptop no longer has the image the robot holds' };
  report(`${ws}: comparing with the robot's image`);
  const started = performance.now();
  const source = await prepareDelta(ctx, built, newDiffIds, oldDiffIds, oldLocalId, plan, oldLayers, phases, cached);
  const laptopSeconds = (performance.now() - started) / 1000;
  const copied = source.fresh.reduce((sum, layer) => sum + layer.recipe.copiedBytes, 0);
  if (source.fresh.length && copied === 0) return { note: 'no delta: no similar earlier layer' };
  await run.tunnel.use(async () => {
    if (!(await hasBlob(port(), repo, source.config.descriptor.digest)))
      await uploadBlob(port(), repo, source.config.descriptor.digest, source.config.bytes);
  });
  onBytes(source.config.bytes.length);
  let wire = source.config.bytes.length;
  for (const layer of source.fresh) {
    wire += await withReconnect(
      ctx,
      run,
      `the delta of ${ws}`,
      (signal) => sendLayer(ctx, run, layer, signal, onBytes, report, phases),
      report,
    );
  }
  const robotSeconds = (performance.now() - started) / 1000 - laptopSeconds;
  const manifest = composeManifest(source.config.descriptor, source.layers);
  const digest = sha256Digest(manifest);
  await run.tunnel.use(async () => {
    await putManifest(port(), repo, digest, manifest);
    // The tag is the next delta's basis when the robot's image came from elsewhere.
    await putManifest(port(), repo, ws, manifest);
  });
  phases.lap('manifest-put');
  const size = source.fresh.reduce((sum, layer) => sum + layer.recipe.size, 0);
  return {
    digest,
    note: `${ws}: delta, ${source.fresh.length} new layer(s) of ${megabytes(size)} rebuilt on the robot from ${megabytes(copied)} it had and ${megabytes(wire)} sent (laptop ${laptopSeconds.toFixed(1)} s, robot ${robotSeconds.toFixed(1)} s; ${phases.text()})`,
  };
}
