// Step 4 by delta: instead of `docker push`ing a rebuilt layer whole, send only the bytes the robot
// lacks and let it rebuild the layer from the earlier one it holds (see commands/robot-delta.ts for
// what runs there). Any reason it cannot help, and any failure, falls back to the push, said aloud.

import type { ClientChannel } from 'ssh2';
import { shortId } from '../../cli/display-format.ts';
import { tagImage } from '../../commands/local-docker.ts';
import { DELTA_BASIS_MISMATCH, deltaApply, deltaReceive, deltaState, parseDeltaState } from '../../commands/robot-delta.ts';
import { imageRef } from '../../commands/robot-docker.ts';
import { REGISTRY_CONTAINER } from '../../commands/robot-registry.ts';
import { decideDelta } from '../../delta/delta-decision.ts';
import { linkRate, linkRatesFile } from '../../delta/link-rates.ts';
import { composeManifest, diffIdsOfFingerprint, planLayers, sha256Digest } from '../../delta/manifest.ts';
import { recipeText } from '../../delta/recipe.ts';
import { hasBlob, putManifest, uploadBlob } from '../../delta/registry-api.ts';
import { lastLines, runChecked } from '../../runner/runner.ts';
import { joinPosix } from '../../shell/posix-quote.ts';
import { buildFor, type DeployContext, type RobotRun } from '../context.ts';
import { cachedIndexes, earlierImage } from './delta-basis.ts';
import { type FreshLayer, findLocalImage, prepareDelta } from './delta-source.ts';
import { PhaseClock } from './phase-clock.ts';
import { pullDeadlineMs } from './pull-step.ts';
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

type Shipper = (
  ctx: DeployContext,
  run: RobotRun,
  ws: string,
  report: (text: string) => void,
  onBytes: (bytes: number) => void,
) => Promise<DeltaOutcome>;

/** Ships `ws` by delta when it can; otherwise says why, and the caller pushes. `onBytes` counts what crossed the link. */
export const deltaPush: Shipper = async (ctx, run, ws, report, onBytes) => {
  const why = await unusable(ctx, run, ws);
  if (why) return { note: why };
  try {
    return await ship(ctx, run, ws, report, onBytes);
  } catch (error) {
    // A link lost outside the batches' own reconnects is the push's to reconnect.
    if (ctx.signal.aborted) throw error;
    const note = `delta failed (${(error as Error).message}); sending it with docker push instead`;
    report(`${ws}: ${note}`);
    return { note };
  }
};

async function unusable(ctx: DeployContext, run: RobotRun, ws: string): Promise<string | undefined> {
  if (ctx.recorded) return 'no delta in a dry run';
  if (ctx.noDelta) return 'delta off by --no-delta';
  if (run.robot.delta === false) return `delta off: DELTA=on (or ${run.robot.envPrefix}_DELTA=on) in robots.env turns it on`;
  const earlier = run.remoteIfProbed?.images.get(imageRef(ctx.config.image, ws));
  if (!earlier) return 'no delta: first deploy of this workspace to the robot';
  const built = await buildFor(ctx, run, ws).result.promise;
  if (!built.localId) return "no delta: the image is not in the laptop's docker images (docker-container builder)";
  return undefined;
}

const ship: Shipper = async (ctx, run, ws, report, onBytes) => {
  const built = await buildFor(ctx, run, ws).result.promise;
  const earlier = run.remote.images.get(imageRef(ctx.config.image, ws))!;
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
  // Reading both images with docker save costs about a second per 500 MB: not worth it for small layers.
  const bases = plan.layers.flatMap((layer) => ('basis' in layer ? [oldLayers[layer.basis].size] : []));
  if (bases.length && Math.max(...bases) < WORTH_A_DELTA)
    return { note: `no delta: the earlier layers are under ${mb(WORTH_A_DELTA)}, a push costs as little` };
  if (run.robot.delta === 'auto' && plan.layers.some((layer) => 'basis' in layer)) {
    const largest = plan.layers
      .flatMap((layer) => ('basis' in layer ? [layer.basis] : []))
      .sort((a, b) => oldLayers[b].size - oldLayers[a].size)[0]!;
    const verdict = decideDelta({
      basisBlobBytes: oldLayers[largest].size,
      basisUncompressed: oldLayers[largest].digest === oldDiffIds[largest],
      bitsPerSecond: linkRate(linkRatesFile(), linkKey(run)),
    });
    if (!verdict.delta) return { note: verdict.why };
    report(`${ws}: delta (${verdict.why})`);
  }
  phases.lap('manifest');
  const cached = cachedIndexes(plan.layers.flatMap((layer) => ('basis' in layer ? [oldDiffIds[layer.basis]] : [])));
  const needOld = plan.layers.some((layer) => 'basis' in layer && !cached.has(oldDiffIds[layer.basis]));
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
    note: `${ws}: delta, ${source.fresh.length} new layer(s) of ${mb(size)} rebuilt on the robot from ${mb(copied)} it had and ${mb(wire)} sent (laptop ${laptopSeconds.toFixed(1)} s, robot ${robotSeconds.toFixed(1)} s; ${phases.text()})`,
  };
};

/** One attempt: what the robot already has, the missing literal batches, then the rebuild. Returns bytes sent. */
async function sendLayer(
  ctx: DeployContext,
  run: RobotRun,
  layer: FreshLayer,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
  report: (text: string) => void,
  phases: PhaseClock,
): Promise<number> {
  const state = parseDeltaState(
    (
      await runChecked(
        run.runner,
        deltaState(REGISTRY_CONTAINER, ctx.config.image, layer.work, layer.diffId),
        "reading the robot's delta state",
        { signal },
      )
    ).stdout,
  );
  if (state.committed) return 0;
  const kept = layer.batchNames.filter((name) => state.have.has(name)).length;
  if (kept)
    report(`${run.robot.name} kept ${kept} of ${layer.batchNames.length} literal batches from an earlier attempt; sending the rest`);
  let sent = 0;
  for (const [i, name] of layer.batchNames.entries()) {
    if (state.have.has(name)) continue;
    // Counted when handed to SSH: a batch cut off midway is counted, and sent again.
    sent += layer.recipe.batches[i].length;
    onBytes(layer.recipe.batches[i].length);
    await sendBytes(ctx, run, deltaReceive(layer.work, name, name.split('.')[2]), layer.recipe.batches[i], signal);
  }
  phases.lap('literals');
  const argv = deltaApply(
    REGISTRY_CONTAINER,
    ctx.config.image,
    layer.work,
    layer.diffId,
    layer.basisDiffId,
    layer.basisBlob,
    layer.batchNames,
  );
  // Reading the earlier layer and writing the new one twice is disk work, paced like a pull.
  const timeoutMs = pullDeadlineMs(ctx.config.link.robotTimeoutSeconds, 3 * layer.recipe.size);
  const applied = await run.runner.run(argv, { input: recipeText(layer.recipe.ops), signal, timeoutMs });
  if (applied.code === DELTA_BASIS_MISMATCH) throw new Error(lastLines(applied.stderr, 1));
  if (applied.code !== 0)
    throw new Error(
      `rebuilding layer ${shortId(layer.diffId)} on ${run.robot.name} failed (exit ${applied.code}): ${lastLines(applied.stderr || applied.stdout, 2)}`,
    );
  phases.robot(applied.stdout);
  return sent;
}

/**
 * Runs a robot command with binary stdin on its own SSH channel; resolves when it exits 0. The
 * signal and a deadline are watched from the start: a link cut before the channel opens would
 * otherwise leave the exec waiting for ever.
 */
function sendBytes(ctx: DeployContext, run: RobotRun, argv: string[], data: Buffer, signal: AbortSignal): Promise<void> {
  const client = run.sshClient;
  const seconds = ctx.config.link.robotTimeoutSeconds + Math.ceil(data.length / 25_000);
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    let channel: ClientChannel | undefined;
    let settled = false;
    const done = (outcome?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      channel?.destroy();
      if (outcome) reject(outcome);
      else resolve();
    };
    const abort = () => done(signal.reason as Error);
    const timer = setTimeout(
      () => done(new Error(`sending literals to ${run.robot.name} made no progress for ${seconds} s`)),
      (seconds + 10) * 1000,
    );
    signal.addEventListener('abort', abort, { once: true });
    client.exec(joinPosix(['timeout', '-k', '5', String(seconds), ...argv]), (error, opened: ClientChannel) => {
      if (error) return done(error);
      if (settled) return void opened.destroy();
      channel = opened;
      let stderr = '';
      opened.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      opened.on('exit', (code: number | null) =>
        done(code === 0 ? undefined : new Error(`sending literals to ${run.robot.name} failed (exit ${code}): ${lastLines(stderr, 1)}`)),
      );
      opened.on('close', () => done(new Error(`sending literals to ${run.robot.name} was cut off`)));
      opened.end(data);
    });
  });
}

const mb = (bytes: number): string => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);
