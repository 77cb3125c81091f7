// One layer by delta, decided on the laptop: with no basis to diff against, or nothing in common with it, or any
// failure on the robot, it returns undefined and says why, so the caller sends the layer whole. The robot's side
// is a recording runner with canned answers; a link without an SSH connection, so nothing travels.
import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DELTA_BASIS_MISMATCH, DELTA_NO_SPACE } from '../../../scripts/lib/commands/robot-delta.ts';
import type { RobotConfig } from '../../../scripts/lib/config/project-config.ts';
import { chunkIndexDir, loadChunkIndex } from '../../../scripts/lib/delta/chunk-index-cache.ts';
import { sendDeltaLayer } from '../../../scripts/lib/delta/delta-layer.ts';
import type { SavedLayer } from '../../../scripts/lib/delta/image-save.ts';
import { PhaseClock } from '../../../scripts/lib/delta/phase-clock.ts';
import { type ChunkIndex, indexChunks, makeRecipe, recipeText } from '../../../scripts/lib/delta/recipe.ts';
import { RobotLink } from '../../../scripts/lib/link/robot-link.ts';
import { OCI_LAYER_TAR, sha256Digest } from '../../../scripts/lib/net/manifest.ts';
import { RecordingRunner, type Responder } from '../../../scripts/lib/runner/recording-runner.ts';
import type { RobotConnection } from '../../../scripts/lib/ssh/connect.ts';
import { tempDir } from '../../support/cli.ts';
import { commandName, OptionsRunner, stepHarness } from '../../support/deploy-harness.ts';
import { SeededRandom } from '../../support/seeded-random.ts';

// The chunk indexes the laptop keeps go to a throwaway cache.
process.env.XDG_CACHE_HOME = tempDir('rd-delta-cache-');

const random = new SeededRandom('delta-layer');
const dir = tempDir('rd-delta-layer-');
const basisBytes = random.bytes(600_000);
/** The new layer: the earlier one with 20 kB inserted in the middle. */
const layerBytes = Buffer.concat([basisBytes.subarray(0, 300_000), random.bytes(20_000), basisBytes.subarray(300_000)]);
const unrelatedBytes = random.bytes(600_000);

function saved(name: string, bytes: Buffer): SavedLayer & { diffId: string } {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return { file, size: bytes.length, diffId: sha256Digest(bytes) };
}
const BASIS = saved('basis.tar', basisBytes);
const LAYER = saved('layer.tar', layerBytes);
const UNRELATED = saved('unrelated.tar', unrelatedBytes);
const BASIS_BLOB = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256Digest('basis as gzip'), size: 250_000 };

const indexOf = (layer: SavedLayer) => indexChunks(createReadStream(layer.file));

/** The first robot's link, its commands answered by `answer` and recorded with their options. */
async function robotLink(answer: Responder, options: { connection?: RobotConnection; signal?: AbortSignal } = {}) {
  const { run, log } = await stepHarness();
  const link = options.signal ? new RobotLink(run.robot, { ...run.link.deps, signal: options.signal }) : run.link;
  const robot = new OptionsRunner(new RecordingRunner('robot1', log, answer));
  link.connected(robot, options.connection);
  return { link, robot, robotConfig: run.robot as RobotConfig };
}

async function delta(
  link: RobotLink,
  layer: SavedLayer & { diffId: string },
  basisTar: () => Promise<SavedLayer | undefined>,
  cached: ReadonlyMap<string, ChunkIndex> = new Map(),
) {
  const reports: string[] = [];
  let bytes = 0;
  const sent = await sendDeltaLayer(
    link,
    'app',
    'navigation',
    { diffId: layer.diffId, basis: { diffId: BASIS.diffId, blob: BASIS_BLOB }, file: layer },
    basisTar,
    cached,
    { report: (text) => reports.push(text), onBytes: (n) => (bytes += n), phases: new PhaseClock() },
  );
  return { sent, reports, bytes };
}

const short = (diffId: string) => diffId.slice(7, 19);

test('the laptop has neither the earlier layer nor its index: no delta, said aloud, nothing asked of the robot', async () => {
  const { link, robot } = await robotLink(() => undefined);
  const { sent, reports } = await delta(link, LAYER, async () => undefined);
  assert.equal(sent, undefined);
  assert.deepEqual(reports, [
    `navigation: no delta for layer ${short(LAYER.diffId)}: the laptop no longer has the earlier layer; sending it whole`,
  ]);
  assert.deepEqual(robot.calls, []);
});

test('a layer with nothing in common with the earlier one: no delta, said aloud; its index is kept for the next deploy', async () => {
  const { link, robot } = await robotLink(() => undefined);
  const { sent, reports } = await delta(link, UNRELATED, async () => BASIS);
  assert.equal(sent, undefined);
  assert.deepEqual(reports, [`navigation: no delta for layer ${short(UNRELATED.diffId)}: no similar earlier layer; sending it whole`]);
  assert.deepEqual(robot.calls, []);
  assert.deepEqual(loadChunkIndex(chunkIndexDir(), UNRELATED.diffId), await indexOf(UNRELATED));
});

test('a kept index of the earlier layer spares reading its tar; a layer the robot already rebuilt costs nothing', async () => {
  const { link, robot } = await robotLink((argv) => (argv[3] === 'delta-state' ? { stdout: 'committed\n' } : undefined));
  let asked = 0;
  const basisTar = async () => {
    asked++;
    return BASIS;
  };
  const { sent, bytes } = await delta(link, LAYER, basisTar, new Map([[BASIS.diffId, await indexOf(BASIS)]]));
  assert.equal(asked, 0);
  assert.deepEqual(sent?.descriptor, { mediaType: OCI_LAYER_TAR, digest: LAYER.diffId, size: LAYER.size });
  assert.equal(sent?.sentBytes, 0);
  assert.equal(bytes, 0);
  assert.ok((sent?.copiedBytes ?? 0) >= 500_000, `most of the layer comes from the earlier one (${sent?.copiedBytes})`);
  assert.deepEqual(
    robot.calls.map((call) => commandName(call.argv)),
    ['delta-state'],
  );
});

/** What the robot holds of this delta: every literal batch the recipe against BASIS needs. */
async function allBatches(): Promise<{ names: string[]; ops: string }> {
  const recipe = await makeRecipe(createReadStream(LAYER.file), await indexOf(BASIS));
  return { names: recipe.batches.map((batch, i) => `batch.${i}.${sha256Digest(batch).slice(7)}`), ops: recipeText(recipe.ops) };
}

test('the robot holding every literal batch already: only the rebuild runs, against the earlier blob, fed the recipe on stdin', async () => {
  const { names, ops } = await allBatches();
  const have = names.map((name) => `have ${name}\n`).join('');
  const { link, robot } = await robotLink((argv) => (argv[3] === 'delta-state' ? { stdout: have } : undefined));
  const { sent, reports } = await delta(link, LAYER, async () => BASIS);
  assert.equal(sent?.sentBytes, 0);
  assert.deepEqual(reports, [`robot1 kept ${names.length} of ${names.length} literal batches from an earlier attempt; sending the rest`]);
  const [state, apply] = robot.calls;
  assert.deepEqual(
    robot.calls.map((call) => commandName(call.argv)),
    ['delta-state', 'delta-apply'],
  );
  const work = state.argv[6];
  assert.deepEqual(apply.argv.slice(3), [
    'delta-apply',
    'robot-deploy-registry',
    'app',
    work,
    LAYER.diffId,
    BASIS.diffId,
    BASIS_BLOB.digest,
    ...names,
  ]);
  assert.equal(apply.options?.input, ops);
});

test('a rebuild that fails on the robot leaves the layer to the upload, and says why', async () => {
  const { names } = await allBatches();
  const state = names.map((name) => `have ${name}\n`).join('');
  const answer: Responder = (argv) =>
    argv[3] === 'delta-state' ? { stdout: state } : argv[3] === 'delta-apply' ? { code: 1, stderr: 'tail: read error\n' } : undefined;
  const { link } = await robotLink(answer);
  const { sent, reports } = await delta(link, LAYER, async () => BASIS);
  assert.equal(sent, undefined);
  assert.equal(
    reports.at(-1),
    `navigation: delta failed (rebuilding layer ${LAYER.diffId.slice(7, 19)} on robot1 failed (exit 1): tail: read error); sending the layer whole instead`,
  );
});

test("an earlier layer on the robot that is not what the laptop diffed against: the robot's reason, and the upload", async () => {
  const { names } = await allBatches();
  const state = names.map((name) => `have ${name}\n`).join('');
  const answer: Responder = (argv) =>
    argv[3] === 'delta-state'
      ? { stdout: state }
      : argv[3] === 'delta-apply'
        ? { code: DELTA_BASIS_MISMATCH, stderr: 'unpacking\nthe earlier layer on robot1 is not the one diffed against\n' }
        : undefined;
  const { link } = await robotLink(answer);
  const { sent, reports } = await delta(link, LAYER, async () => BASIS);
  assert.equal(sent, undefined);
  assert.match(
    reports.at(-1) ?? '',
    /^navigation: delta failed \(the earlier layer on robot1 is not the one diffed against\); sending the layer whole/,
  );
});

test('a robot short of disk space: the upload, with how much it has and how to free it', async () => {
  const { link, robot } = await robotLink((argv) =>
    argv[3] === 'delta-state' ? { code: DELTA_NO_SPACE, stdout: 'space-short 900000000 100000000 / /home/nuc/.cache\n' } : undefined,
  );
  const { sent, reports } = await delta(link, LAYER, async () => BASIS);
  assert.equal(sent, undefined);
  assert.match(
    reports.at(-1) ?? '',
    /^navigation: delta failed \(robot1 has 100\.0 MB free on \/ .*needs about 900\.0 MB: .*or deploy with --no-delta\)/,
  );
  assert.deepEqual(
    robot.calls.map((call) => commandName(call.argv)),
    ['delta-state'],
  );
});

test("with the link up, a failed rebuild clears the robot's work files for that layer", async () => {
  const { names } = await allBatches();
  const state = names.map((name) => `have ${name}\n`).join('');
  const answer: Responder = (argv) =>
    argv[3] === 'delta-state' ? { stdout: state } : argv[3] === 'delta-apply' ? { code: 1, stderr: 'no\n' } : undefined;
  const up = { closed: new Promise(() => undefined), isClosed: () => false, close: () => undefined } as unknown as RobotConnection;
  const { link, robot } = await robotLink(answer, { connection: up });
  const { sent } = await delta(link, LAYER, async () => BASIS);
  assert.equal(sent, undefined);
  const calls = robot.calls.map((call) => call.argv);
  assert.deepEqual(calls.map(commandName), ['delta-state', 'delta-apply', 'delta-discard']);
  assert.equal(calls[2].at(-1), calls[1][6], 'the work directory of this layer, and only it');
});

test('Ctrl-C during the delta is not turned into an upload: it ends the deploy', async () => {
  const stop = new AbortController();
  const answer: Responder = (argv) => {
    if (argv[3] === 'delta-state') stop.abort(new Error('interrupted'));
    return undefined;
  };
  const { link } = await robotLink(answer, { signal: stop.signal });
  const runner = link.runner;
  link.connected({
    where: 'robot1',
    run: async (argv, options) => {
      await runner.run(argv, options);
      throw stop.signal.reason;
    },
  });
  await assert.rejects(
    delta(link, LAYER, async () => BASIS),
    /interrupted/,
  );
});
