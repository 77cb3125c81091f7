// Sends what the plan says from a layer source: each new layer rebuilt on the robot by delta or sent
// whole, then the config and the manifest (by digest, and under the tag WS, which names what
// robot-deploy last shipped there).
import { megabytes } from '../cli/display-format.ts';
import { cachedIndexes } from '../delta/delta-basis.ts';
import { sendDeltaLayer } from '../delta/delta-layer.ts';
import { linkKey } from '../link/link-key.ts';
import { linkRatesFile, recordLinkRate } from '../link/link-rates.ts';
import { withReconnect } from '../link/reconnect.ts';
import { withStallGuard } from '../link/stall-guard.ts';
import { composeManifest, type Descriptor, sha256Digest } from '../net/manifest.ts';
import type { RegistryClient } from '../net/registry-client.ts';
import type { ImageConfig, LayerSource } from './layer-source.ts';
import type { Shipment } from './shipment.ts';
import type { UploadPlan } from './upload-plan.ts';
import { rememberLayers, uploadedLayersFile } from './uploaded-layers.ts';

export interface Sent {
  digest: string;
  configDigest: string;
  note: string;
}

export async function sendImage(
  shipment: Shipment,
  plan: UploadPlan,
  source: LayerSource,
  registry: RegistryClient,
  noDelta: string,
): Promise<Sent> {
  const { link, image, ws } = shipment;
  const cached = cachedIndexes([...new Set(plan.layers.flatMap((layer) => ('basis' in layer ? [layer.basis.diffId] : [])))]);
  const delta = { layers: 0, rebuilt: 0, copied: 0, sent: 0 };
  const whole = { layers: 0, bytes: 0 };
  const uploaded = new Map<string, Descriptor>();
  const descriptors: Descriptor[] = [];
  for (const layer of plan.layers) {
    if ('reuse' in layer) {
      descriptors.push(layer.reuse);
      continue;
    }
    if ('basis' in layer) {
      const target = await source.tar(layer.diffId);
      const rebuilt =
        target &&
        (await sendDeltaLayer(link, image, ws, { ...layer, file: target }, () => source.tar(layer.basis.diffId), cached, shipment));
      if (rebuilt) {
        Object.assign(delta, {
          layers: delta.layers + 1,
          rebuilt: delta.rebuilt + rebuilt.descriptor.size,
          copied: delta.copied + rebuilt.copiedBytes,
          sent: delta.sent + rebuilt.sentBytes,
        });
        descriptors.push(rebuilt.descriptor);
        continue;
      }
    }
    const blob = await sendWhole(shipment, layer.diffId, source, registry);
    whole.layers += 1;
    whole.bytes += blob.size;
    uploaded.set(layer.diffId, blob);
    descriptors.push(blob);
  }
  shipment.phases.lap('layers');
  const result = await finish(shipment, registry, source.config, descriptors);
  rememberLayers(uploadedLayersFile(), uploaded);
  const parts = [
    ...(delta.layers
      ? [
          `delta, ${delta.layers} new layer(s) of ${megabytes(delta.rebuilt)} rebuilt on the robot from ${megabytes(delta.copied)} it had and ${megabytes(delta.sent)} sent`,
        ]
      : []),
    ...(whole.layers ? [source.describe(whole.layers, whole.bytes)] : []),
  ];
  const why = noDelta && !delta.layers ? ` (${noDelta})` : '';
  return { ...result, note: `${ws}: ${parts.join('; ') || 'every layer already on the robot'}${why} (${shipment.phases.text()})` };
}

/** One layer whole; stopped when no byte crosses the tunnel for ROBOT_TIMEOUT_SECONDS, sent again after a reconnect. */
async function sendWhole(
  { link, robot, ws, report }: Shipment,
  diffId: string,
  source: LayerSource,
  registry: RegistryClient,
): Promise<Descriptor> {
  const seconds = link.deps.settings.robotTimeoutSeconds;
  const started = performance.now();
  const sentBefore = link.tunnel.bytesToRobot();
  const stalled = () =>
    new Error(
      `sending ${ws} to ${robot.name} made no progress for ${seconds} s; check the robot's registry with ` +
        '`docker logs robot-deploy-registry` there, or raise ROBOT_TIMEOUT_SECONDS in robots.env',
    );
  const blob = await withReconnect(
    link,
    `the push of ${ws}`,
    (signal) =>
      withStallGuard(
        () => link.tunnelIfAny?.bytesToRobot() ?? 0,
        seconds * 1000,
        stalled,
        (stall) => link.tunnel.use(() => source.sendWhole(diffId, registry, AbortSignal.any([signal, stall]))),
      ),
    report,
  );
  // DELTA=auto and the gzip level weigh the next transfer against this rate.
  recordLinkRate(linkRatesFile(), linkKey(robot), link.tunnel.bytesToRobot() - sentBefore, (performance.now() - started) / 1000);
  return blob;
}

/** The config (if the registry lacks it) and the manifest, under its digest and the tag WS. */
async function finish(
  { link, ws }: Shipment,
  registry: RegistryClient,
  config: ImageConfig,
  layers: Descriptor[],
): Promise<{ digest: string; configDigest: string }> {
  const manifest = composeManifest(config.descriptor, layers);
  const digest = sha256Digest(manifest);
  await link.tunnel.use(async () => {
    if ((await registry.blobSize(config.descriptor.digest)) === undefined) await registry.upload(config.descriptor.digest, config.bytes);
    await registry.putManifest(digest, manifest);
    // The tag is the next delta's basis when the robot's image came from elsewhere.
    await registry.putManifest(ws, manifest);
  });
  return { digest, configDigest: config.descriptor.digest };
}
