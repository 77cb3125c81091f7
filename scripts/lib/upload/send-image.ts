// Sends what the plan says: one `docker save` for every layer the robot lacks, each layer rebuilt on the
// robot by delta or uploaded gzipped, then the config and the manifest (by digest, and under the tag
// WS, which names what robot-deploy last shipped there).
import { megabytes } from '../cli/display-format.ts';
import type { SavedImages } from '../delta/image-save.ts';
import { linkRate, linkRatesFile, recordLinkRate } from '../delta/link-rates.ts';
import { composeManifest, type Descriptor, sha256Digest } from '../delta/manifest.ts';
import type { BuiltImage, DeployContext, RobotRun } from '../deploy/context.ts';
import { withStallGuard } from '../deploy/stall-guard.ts';
import { basisRef, cachedIndexes } from '../deploy/steps/delta-basis.ts';
import { PhaseClock } from '../deploy/steps/phase-clock.ts';
import { withReconnect } from '../deploy/steps/reconnect.ts';
import type { RegistryClient } from '../net/registry-client.ts';
import { sendDeltaLayer } from './delta-layer.ts';
import { gzipLevelFor } from './gzip-level.ts';
import { uploadLayerFile } from './layer-upload.ts';
import { findLocalImage, pickConfig, withSavedLayers } from './saved-layers.ts';
import { linkKey, type ShipPlan } from './ship-image.ts';
import { rememberLayers, uploadedLayersFile } from './uploaded-layers.ts';

interface Tally {
  deltas: number;
  rebuiltBytes: number;
  copiedBytes: number;
  deltaSent: number;
  uploads: number;
  uploadedBytes: number;
}

export async function sendImage(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  built: BuiltImage & { localId: string },
  newDiffIds: readonly string[],
  plan: ShipPlan,
  registry: RegistryClient,
  report: (text: string) => void,
  onBytes: (bytes: number) => void,
  noDelta: string,
): Promise<{ digest: string; configDigest: string; note: string }> {
  const phases = new PhaseClock();
  const started = performance.now();
  const bases = [...new Set(plan.layers.flatMap((layer) => ('basis' in layer ? [layer.basis.diffId] : [])))];
  const cached = cachedIndexes(bases);
  const uncached = bases.filter((diffId) => !cached.has(diffId));
  const oldLocalId =
    uncached.length && plan.earlier ? await findLocalImage(ctx, plan.earlier.diffIds, basisRef(ctx.config.image, ws)) : undefined;
  const readable = new Set(oldLocalId ? bases : bases.filter((diffId) => cached.has(diffId)));
  const missing = plan.layers.filter((layer) => !('reuse' in layer));
  const reused = plan.layers.flatMap((layer) => ('reuse' in layer ? [layer.diffId, layer.reuse.digest] : []));
  const tally: Tally = { deltas: 0, rebuiltBytes: 0, copiedBytes: 0, deltaSent: 0, uploads: 0, uploadedBytes: 0 };
  const uploaded = new Map<string, Descriptor>();
  const level = gzipLevelFor(linkRate(linkRatesFile(), linkKey(run)));
  const result = await withSavedLayers(
    ctx,
    {
      images: [built.localId, ...(oldLocalId && uncached.length ? [oldLocalId] : [])],
      wanted: new Set([...missing.map((layer) => layer.diffId), ...(oldLocalId ? uncached : [])]),
      unwanted: new Set(reused),
      newDiffIds,
      maxBytes: Infinity,
    },
    async (saved: SavedImages) => {
      const config = pickConfig(saved, built, newDiffIds);
      phases.lap('save');
      const descriptors: Descriptor[] = [];
      for (const layer of plan.layers) {
        if ('reuse' in layer) {
          descriptors.push(layer.reuse);
          continue;
        }
        const file = saved.layers.get(layer.diffId);
        if (!file) throw new Error(`docker save did not contain layer ${layer.diffId.slice(7, 19)}`);
        if ('basis' in layer && readable.has(layer.basis.diffId)) {
          const delta = await sendDeltaLayer(ctx, run, ws, { ...layer, file }, saved, cached, report, onBytes, phases);
          if (delta) {
            tally.deltas += 1;
            tally.rebuiltBytes += delta.descriptor.size;
            tally.copiedBytes += delta.copiedBytes;
            tally.deltaSent += delta.sentBytes;
            descriptors.push(delta.descriptor);
            continue;
          }
        }
        const blob = await uploadWhole(ctx, run, ws, registry, file.file, level, report);
        tally.uploads += 1;
        tally.uploadedBytes += blob.size;
        uploaded.set(layer.diffId, blob);
        descriptors.push(blob);
      }
      phases.lap('layers');
      return finish(run, ws, registry, config, descriptors);
    },
  );
  rememberLayers(uploadedLayersFile(), uploaded);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return { ...result, note: describe(ws, tally, level, noDelta, `${seconds} s; ${phases.text()}`) };
}

/** One layer gzipped and streamed; stopped when no byte crosses the tunnel for ROBOT_TIMEOUT_SECONDS, resent after a reconnect. */
async function uploadWhole(
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  registry: RegistryClient,
  file: string,
  level: number,
  report: (text: string) => void,
): Promise<Descriptor> {
  const seconds = ctx.config.link.robotTimeoutSeconds;
  const started = performance.now();
  const stalled = () =>
    new Error(
      `the upload of ${ws} to ${run.robot.name} made no progress for ${seconds} s; check the robot's registry with ` +
        '`docker logs robot-deploy-registry` there, or raise ROBOT_TIMEOUT_SECONDS in robots.env',
    );
  const blob = await withReconnect(
    ctx,
    run,
    `the upload of ${ws}`,
    (signal) =>
      withStallGuard(
        () => run.tunnelIfAny?.bytesToRobot() ?? 0,
        seconds * 1000,
        stalled,
        (stall) => run.tunnel.use(() => uploadLayerFile(registry, file, level, AbortSignal.any([signal, stall]))),
      ),
    report,
  );
  // DELTA=auto and the gzip level weigh the next transfer against this rate.
  recordLinkRate(linkRatesFile(), linkKey(run), blob.size, (performance.now() - started) / 1000);
  return blob;
}

/** The config (if the registry lacks it) and the manifest, under its digest and the tag WS. */
async function finish(
  run: RobotRun,
  ws: string,
  registry: RegistryClient,
  config: ReturnType<typeof pickConfig>,
  layers: Descriptor[],
): Promise<{ digest: string; configDigest: string }> {
  const manifest = composeManifest(config.descriptor, layers);
  const digest = sha256Digest(manifest);
  await run.tunnel.use(async () => {
    if ((await registry.blobSize(config.descriptor.digest)) === undefined) await registry.upload(config.descriptor.digest, config.bytes);
    await registry.putManifest(digest, manifest);
    // The tag is the next delta's basis when the robot's image came from elsewhere.
    await registry.putManifest(ws, manifest);
  });
  return { digest, configDigest: config.descriptor.digest };
}

function describe(ws: string, tally: Tally, level: number, noDelta: string, timing: string): string {
  const parts: string[] = [];
  if (tally.deltas)
    parts.push(
      `delta, ${tally.deltas} new layer(s) of ${megabytes(tally.rebuiltBytes)} rebuilt on the robot from ${megabytes(tally.copiedBytes)} it had and ${megabytes(tally.deltaSent)} sent`,
    );
  if (tally.uploads) parts.push(`uploaded ${tally.uploads} layer(s), ${megabytes(tally.uploadedBytes)} at gzip level ${level}`);
  if (!parts.length) parts.push('every layer already on the robot');
  return `${ws}: ${parts.join('; ')}${noDelta && !tally.deltas ? ` (${noDelta})` : ''} (${timing})`;
}
