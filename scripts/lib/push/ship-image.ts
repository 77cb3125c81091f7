// Step 4 without `docker push` through the tunnel, which the engine's daemon performs from wherever it
// runs (see push-route.ts). robot-deploy sends what the robot's registry lacks itself: copied
// from the registry kept in a laptop engine that runs in a VM ("staged"), or read with docker save
// ("upload"); each new layer rebuilt on the robot by delta where that pays (see delta/). The docker
// push route comes here too when a delta is wanted.

import { megabytes } from '../cli/display-format.ts';
import type { ImageIdentity } from '../commands/image-identity.ts';
import { registryRef } from '../commands/robot-docker.ts';
import type { RobotConfig } from '../config/project-config.ts';
import { decideDelta } from '../delta/delta-decision.ts';
import { linkKey } from '../link/link-key.ts';
import { measureLink } from '../link/link-probe.ts';
import { FRESH_FOR_MS, linkRate, linkRatesFile } from '../link/link-rates.ts';
import { withReconnect } from '../link/reconnect.ts';
import { withStallGuard } from '../link/stall-guard.ts';
import { diffIdsOfFingerprint } from '../net/manifest.ts';
import { RegistryClient } from '../net/registry-client.ts';
import { copyImage } from './copy-image.ts';
import { pushWithDocker } from './docker-push.ts';
import { gzipLevelFor } from './gzip-level.ts';
import type { PushRoute } from './push-route.ts';
import { firstImageIn, layersOnRobot } from './registry-images.ts';
import { withSaveSource } from './saved-layers.ts';
import { type Sent, sendImage } from './send-image.ts';
import type { Shipment } from './shipment.ts';
import { withStagingSource } from './staging-source.ts';
import { type DeltaChoice, type EarlierImage, planUpload, type UploadPlan } from './upload-plan.ts';
import { rememberedLayers, uploadedLayersFile } from './uploaded-layers.ts';

/** A basis layer (as the registry stores it) smaller than this is not worth a delta. */
const WORTH_A_DELTA = 512 * 1024;

/** Shipped: the manifest the robot pulls and its config digest (the image's ID on a classic robot). Else why the caller docker-pushes. */
export type ShipOutcome = Sent | { push: string };

export async function shipImage(shipment: Shipment, route: PushRoute): Promise<ShipOutcome> {
  const { noDelta, image, link } = shipment;
  if (route.kind === 'docker push' && noDelta) return { push: noDelta };
  const built = await shipment.build.result.promise;
  const localId = built.localId;
  if (!localId) return { push: "no delta: the image is not in the laptop's docker images (docker-container builder)" };
  const newDiffIds = diffIdsOfFingerprint(built.fingerprint);
  if (!newDiffIds) return { push: 'no delta: the layers of the new image are unknown' };
  const stagingPort = route.stagingPort;
  const staged = stagingPort ? await stageImage(shipment, localId, stagingPort) : undefined;
  if (staged) shipment.phases.lap('push into the engine');
  const registry = new RegistryClient(() => link.tunnel.port, image);
  const staging = stagingPort ? new RegistryClient(() => stagingPort, image) : undefined;
  try {
    if (staging && staged && noDelta) return await copyWhole(shipment, staging, registry, staged, noDelta);
    const planned = await link.tunnel.use(() => plan(shipment, route, registry, newDiffIds));
    shipment.phases.lap('plan');
    const why = [...(noDelta ? [noDelta] : []), ...planned.noDelta].join('; ');
    const deltas = planned.layers.some((layer) => 'basis' in layer);
    if (route.kind === 'docker push' && !deltas) return { push: why || 'no layer to rebuild' };
    if (staging && staged) {
      if (!deltas) return await copyWhole(shipment, staging, registry, staged, why);
      const images = [staged, ...(shipment.earlier?.digests ?? [])];
      return await withStagingSource(shipment.laptop.teardown, staging, images, shipment.robot.platform, (source) =>
        sendImage(shipment, planned, source, registry, why),
      );
    }
    const level = gzipLevelFor(linkRate(linkRatesFile(), linkKey(shipment.robot)));
    return await withSaveSource(shipment, { ...built, localId }, newDiffIds, planned, level, (source) => {
      shipment.phases.lap('save');
      return sendImage(shipment, planned, source, registry, why);
    });
  } finally {
    registry.close();
    staging?.close();
  }
}

/** The one push into the laptop engine's registry per build, whatever number of robots it goes to. */
function stageImage({ laptop, image, build }: Shipment, localId: string, port: number): Promise<string> {
  const target = registryRef(`127.0.0.1:${port}`, image, build.ws);
  build.staged ??= pushWithDocker(laptop, localId, target, { signal: laptop.signal, onOutput: () => undefined });
  return build.staged;
}

/** The image as the engine pushed it, every blob the robot lacks streamed on; resent after a reconnect. */
async function copyWhole(
  shipment: Shipment,
  staging: RegistryClient,
  registry: RegistryClient,
  digest: string,
  why: string,
): Promise<Sent> {
  const { link, ws, robot, phases } = shipment;
  const seconds = link.deps.settings.robotTimeoutSeconds;
  const stalled = () =>
    new Error(`copying ${ws} to ${robot.name} made no progress for ${seconds} s; raise ROBOT_TIMEOUT_SECONDS for a slow link`);
  const copied = await withReconnect(
    link,
    `the push of ${ws}`,
    (signal) =>
      withStallGuard(
        () => link.tunnelIfAny?.bytesToRobot() ?? 0,
        seconds * 1000,
        stalled,
        (stall) => link.tunnel.use(() => copyImage(staging, registry, digest, ws, robot.platform, AbortSignal.any([signal, stall]))),
      ),
    shipment.report,
  );
  phases.lap('copy');
  const note = `${ws}: copied from the engine's registry, ${megabytes(copied.bytes)} the robot lacked${why ? ` (${why})` : ''} (${phases.text()})`;
  return { digest, configDigest: copied.configDigest, note };
}

/** Why this workspace cannot go by delta to this robot at all, before anything is read. */
export function whyNoDelta(
  robot: RobotConfig,
  earlier: ImageIdentity | undefined,
  options: { dryRun: boolean; noDelta: boolean },
): string | undefined {
  if (options.dryRun) return 'no delta in a dry run';
  if (options.noDelta) return 'delta off by --no-delta';
  if (robot.delta === false) return `delta off by DELTA=off or ${robot.envPrefix}_DELTA=off in robots.env`;
  if (!earlier) return 'no delta: first deploy of this workspace to the robot';
  return undefined;
}

async function plan(
  shipment: Shipment,
  route: PushRoute,
  registry: RegistryClient,
  newDiffIds: readonly string[],
): Promise<UploadPlan & { earlier?: EarlierImage }> {
  const [onRobot, earlier] = await Promise.all([
    layersOnRobot(registry, shipment.robot.platform, newDiffIds, rememberedLayers(uploadedLayersFile())),
    shipment.noDelta ? undefined : earlierImage(shipment, registry),
  ]);
  if (!earlier) return planUpload(newDiffIds, onRobot);
  if (typeof earlier === 'string') return { ...planUpload(newDiffIds, onRobot), noDelta: [earlier] };
  const worthWeighing = newDiffIds.some(
    (diffId, i) => !onRobot.has(diffId) && earlier.layers[Math.min(i, earlier.layers.length - 1)].size >= WORTH_A_DELTA,
  );
  const rate = shipment.robot.delta === 'auto' && worthWeighing ? await currentRate(shipment) : undefined;
  return { ...planUpload(newDiffIds, onRobot, earlier, deltaChoice(shipment, route, rate)), earlier };
}

/** The link's rate as this deploy finds it: measured by a transfer in the last minute, else now. */
async function currentRate({ robot, link }: Shipment): Promise<number> {
  return linkRate(linkRatesFile(), linkKey(robot), FRESH_FOR_MS) ?? (await measureLink(link));
}

/**
 * The robot's image as pulled from its registry; else (another tool tagged IMAGE:WS since) what this
 * tool last shipped there, which the registry keeps under the tag WS.
 */
async function earlierImage({ earlier, ws, robot }: Shipment, registry: RegistryClient): Promise<EarlierImage | string> {
  const found = await firstImageIn(registry, [...(earlier?.digests ?? []), ws], robot.platform);
  if (!found) return "no delta: the robot's registry has no earlier image of this workspace (pruned, or another tool deployed it)";
  const diffIds = found.image.diffIds ?? (found.reference === ws ? undefined : diffIdsOfFingerprint(earlier?.fingerprint));
  if (!diffIds || diffIds.length !== found.image.layers.length) return 'no delta: the layers of the earlier image are unknown';
  return { layers: found.image.layers, diffIds };
}

function deltaChoice({ robot, ws, report }: Shipment, route: PushRoute, bitsPerSecond: number | undefined): DeltaChoice {
  return ({ diffId, blob }) => {
    // Reading both images costs about a second per 500 MB: not worth it for small layers.
    if (blob.size < WORTH_A_DELTA)
      return { delta: false, why: `no delta: the earlier layers are under ${megabytes(WORTH_A_DELTA)}, a push costs as little` };
    if (robot.delta !== 'auto' || bitsPerSecond === undefined) return { delta: true, why: '' };
    const verdict = decideDelta({ basisBlobBytes: blob.size, basisUncompressed: blob.digest === diffId, bitsPerSecond, route: route.kind });
    if (verdict.delta) report(`${ws}: delta (${verdict.why})`);
    return verdict;
  };
}
