// The delta's transfer to one robot: the literal batches it lacks, each on its own SSH channel, then
// the fixed script that rebuilds and verifies the layer there (commands/robot-delta.ts).
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
import { sendBytes } from '../link/send-bytes.ts';
import { CommandError, lastLines } from '../runner/runner.ts';
import type { PhaseClock } from './phase-clock.ts';
import { type Recipe, recipeText } from './recipe.ts';

/** A layer the robot rebuilds: its recipe against a basis the robot holds, and where the work happens. */
export interface FreshLayer {
  diffId: string;
  basisDiffId: string;
  /** The basis layer's blob in the robot's registry (gzip or not). */
  basisBlob: string;
  /** The basis layer unpacked, as the robot holds it while rebuilding. */
  basisSize: number;
  recipe: Recipe;
  /** batch.N.<sha256> per literal batch: the name says what the robot must hold. */
  batchNames: string[];
  /** The robot's work directory for this layer against this basis. */
  work: string;
}

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
