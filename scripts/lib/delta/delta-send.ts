// The delta's transfer to one robot: the literal batches it lacks, each on its own SSH channel, then
// the fixed script that rebuilds and verifies the layer there (commands/robot-delta.ts).
import type { ClientChannel } from 'ssh2';
import { megabytes, shortId } from '../cli/display-format.ts';
import {
  DELTA_BASIS_MISMATCH,
  DELTA_NO_SPACE,
  deltaApply,
  deltaDiscard,
  deltaReceive,
  deltaState,
  parseDeltaState,
  parseSpaceShortage,
} from '../commands/robot-delta.ts';
import { REGISTRY_CONTAINER } from '../commands/robot-registry.ts';
import { pullDeadlineMs } from '../link/deadlines.ts';
import type { RobotLink } from '../link/robot-link.ts';
import { CommandError, lastLines } from '../runner/runner.ts';
import { joinPosix } from '../shell/posix-quote.ts';
import type { FreshLayer } from './delta-layer.ts';
import type { PhaseClock } from './phase-clock.ts';
import { recipeText } from './recipe.ts';

/**
 * One attempt: what the robot already has, the missing literal batches, then the rebuild. Returns bytes
 * sent. A failure with the link up is final (the caller pushes instead): the robot's work files for
 * this layer go with it. After a cut link or a Ctrl-C they stay, for the retry or the next deploy.
 */
export async function sendLayer(
  link: RobotLink,
  image: string,
  layer: FreshLayer,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
  report: (text: string) => void,
  phases: PhaseClock,
): Promise<number> {
  try {
    return await sendAndRebuild(link, image, layer, signal, onBytes, report, phases);
  } catch (error) {
    if (!signal.aborted && link.isOpen()) await link.runner.run(deltaDiscard(layer.work), { signal }).catch(() => undefined);
    throw error;
  }
}

async function sendAndRebuild(
  link: RobotLink,
  image: string,
  layer: FreshLayer,
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
  report: (text: string) => void,
  phases: PhaseClock,
): Promise<number> {
  const { recipe } = layer;
  const batchBytes = recipe.batches.reduce((sum, batch) => sum + batch.length, 0);
  const space = { work: batchBytes + recipe.literalBytes + recipe.size, basis: layer.basisSize, layer: recipe.size };
  const stateArgv = deltaState(REGISTRY_CONTAINER, image, layer.work, layer.diffId, space);
  const checked = await link.runner.run(stateArgv, { signal });
  const short = parseSpaceShortage(checked.stdout);
  if (checked.code === DELTA_NO_SPACE && short)
    throw new Error(
      `${link.robot.name} has ${megabytes(short.free)} free on ${short.mount} (for ${short.path}), and rebuilding layer ${shortId(layer.diffId)} ` +
        `there needs about ${megabytes(short.need)}: free space on ${link.robot.name} (npx tsx scripts/prune.ts ${link.robot.name} removes old images ` +
        'and delta leftovers), or deploy with --no-delta',
    );
  if (checked.code !== 0) throw new CommandError(link.robot.name, stateArgv, checked, "reading the robot's delta state");
  const state = parseDeltaState(checked.stdout);
  if (state.committed) return 0;
  const kept = layer.batchNames.filter((name) => state.have.has(name)).length;
  if (kept)
    report(`${link.robot.name} kept ${kept} of ${layer.batchNames.length} literal batches from an earlier attempt; sending the rest`);
  let sent = 0;
  for (const [i, name] of layer.batchNames.entries()) {
    if (state.have.has(name)) continue;
    // Counted when handed to SSH: a batch cut off midway is counted, and sent again.
    sent += layer.recipe.batches[i].length;
    onBytes(layer.recipe.batches[i].length);
    await sendBytes(link, deltaReceive(layer.work, name, name.split('.')[2]), layer.recipe.batches[i], signal);
  }
  phases.lap('literals');
  const argv = deltaApply(REGISTRY_CONTAINER, image, layer.work, layer.diffId, layer.basisDiffId, layer.basisBlob, layer.batchNames);
  // Reading the earlier layer and writing the new one twice is disk work, paced like a pull.
  const timeoutMs = pullDeadlineMs(link.deps.settings.robotTimeoutSeconds, 3 * layer.recipe.size);
  const applied = await link.runner.run(argv, { input: recipeText(layer.recipe.ops), signal, timeoutMs });
  if (applied.code === DELTA_BASIS_MISMATCH) throw new Error(lastLines(applied.stderr, 1));
  if (applied.code !== 0)
    throw new Error(
      `rebuilding layer ${shortId(layer.diffId)} on ${link.robot.name} failed (exit ${applied.code}): ${lastLines(applied.stderr || applied.stdout, 2)}`,
    );
  phases.robot(applied.stdout);
  return sent;
}

/**
 * Runs a robot command with binary stdin on its own SSH channel; resolves when it exits 0. The
 * signal and a deadline are watched from the start: a link cut before the channel opens would
 * otherwise leave the exec waiting for ever.
 */
export function sendBytes(link: RobotLink, argv: string[], data: Buffer, signal: AbortSignal): Promise<void> {
  const client = link.client;
  const seconds = link.deps.settings.robotTimeoutSeconds + Math.ceil(data.length / 25_000);
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
      () => done(new Error(`sending literals to ${link.robot.name} made no progress for ${seconds} s`)),
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
        done(code === 0 ? undefined : new Error(`sending literals to ${link.robot.name} failed (exit ${code}): ${lastLines(stderr, 1)}`)),
      );
      opened.on('close', () => done(new Error(`sending literals to ${link.robot.name} was cut off`)));
      opened.end(data);
    });
  });
}
