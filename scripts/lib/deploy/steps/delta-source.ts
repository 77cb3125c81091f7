// Laptop side of the delta transfer: the earlier image the robot holds, found again in the laptop's
// store by its layers (unless the laptop kept the chunk index of its layers); one `docker save`; a
// recipe per new layer.

import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shortId } from '../../cli/display-format.ts';
import { imageWithLayers, inspectLayers, listImageIds, saveImages } from '../../commands/local-images.ts';
import { chunkIndexDir, saveChunkIndex } from '../../delta/chunk-index-cache.ts';
import { readSavedImages, type SavedImages } from '../../delta/image-save.ts';
import { type Descriptor, type LayerPlan, OCI_CONFIG, OCI_LAYER_TAR, sha256Digest } from '../../delta/manifest.ts';
import { type ChunkIndex, indexChunks, makeRecipe, type Recipe } from '../../delta/recipe.ts';
import { startProcess } from '../../runner/child-process.ts';
import { lastLines } from '../../runner/runner.ts';
import type { BuiltImage, DeployContext } from '../context.ts';
import type { PhaseClock } from './phase-clock.ts';

export interface FreshLayer {
  diffId: string;
  basisDiffId: string;
  /** The basis layer's blob in the robot's registry (gzip or not). */
  basisBlob: string;
  recipe: Recipe;
  /** batch.N.<sha256> per literal batch: the name says what the robot must hold. */
  batchNames: string[];
  /** The robot's work directory for this layer against this basis. */
  work: string;
}

export interface DeltaSource {
  config: { descriptor: Descriptor; bytes: Buffer };
  layers: Descriptor[];
  fresh: FreshLayer[];
}

/** The laptop's copy of the image with exactly these layers, if it still has one. */
export async function findLocalImage(ctx: DeployContext, diffIds: readonly string[], likely: string): Promise<string | undefined> {
  // Usually the image the laptop tagged when it shipped it: one inspect instead of one of every image.
  const tagged = imageWithLayers((await ctx.local.run(inspectLayers([likely]))).stdout, diffIds);
  if (tagged) return tagged;
  const ids = [...new Set((await ctx.local.run(listImageIds())).stdout.split(/\s+/).filter(Boolean))];
  if (ids.length === 0) return undefined;
  // A non-zero exit (an image removed meanwhile) still prints the others.
  return imageWithLayers((await ctx.local.run(inspectLayers(ids))).stdout, diffIds);
}

/**
 * Reads the new layers (and any basis layer whose chunk index the laptop has not kept) with one
 * `docker save`, stopped as soon as they and the new config are read, and makes a recipe per layer.
 */
export async function prepareDelta(
  ctx: DeployContext,
  built: BuiltImage & { localId: string },
  newDiffIds: readonly string[],
  oldDiffIds: readonly string[],
  oldLocalId: string | undefined,
  plan: LayerPlan,
  oldLayers: Descriptor[],
  phases: PhaseClock,
  cached: ReadonlyMap<string, ChunkIndex>,
): Promise<DeltaSource> {
  const temp = mkdtempSync(join(tmpdir(), 'robot-deploy-delta-'));
  const removeTemp = ctx.teardown.add('delta work files on the laptop', () => rmSync(temp, { recursive: true, force: true }));
  try {
    const fresh = plan.layers.flatMap((layer) => ('basis' in layer ? [{ diffId: layer.diffId, basis: layer.basis }] : []));
    const uncached = fresh.map((layer) => oldDiffIds[layer.basis]).filter((diffId) => !cached.has(diffId));
    const wanted = new Set([...fresh.map((layer) => layer.diffId), ...uncached]);
    const images = [built.localId, ...(uncached.length && oldLocalId ? [oldLocalId] : [])];
    const newConfig = JSON.stringify(newDiffIds);
    const enough = (found: SavedImages) =>
      [...wanted].every((diffId) => found.layers.has(diffId)) &&
      [...found.configs.values()].some((c) => JSON.stringify(c.diffIds) === newConfig);
    const saved = await saveImagesFor(
      ctx,
      images,
      wanted,
      temp,
      enough,
      wantedAtMost(
        fresh.map((layer) => layer.basis),
        oldDiffIds,
        oldLayers,
        cached,
        uncached.length > 0,
      ),
    );
    phases.lap('save');
    const config = pickConfig(saved, built, newDiffIds);
    const layers: Descriptor[] = [];
    const freshLayers: FreshLayer[] = [];
    for (const layer of plan.layers) {
      if ('reuse' in layer) {
        layers.push(layer.reuse);
        continue;
      }
      const basisDiffId = oldDiffIds[layer.basis];
      const target = saved.layers.get(layer.diffId);
      const basis = saved.layers.get(basisDiffId);
      const basisIndex = cached.get(basisDiffId) ?? (basis ? await indexChunks(createReadStream(basis.file)) : undefined);
      if (!target || !basisIndex) throw new Error(`docker save did not contain layer ${shortId(target ? basisDiffId : layer.diffId)}`);
      const recipe = await makeRecipe(createReadStream(target.file), basisIndex);
      keepIndex(layer.diffId, recipe.index);
      const batchNames = recipe.batches.map((batch, i) => `batch.${i}.${sha256Digest(batch).slice(7)}`);
      const work = `${layer.diffId.slice(7, 39)}-${basisDiffId.slice(7, 23)}`;
      freshLayers.push({
        diffId: layer.diffId,
        basisDiffId,
        basisBlob: oldLayers[layer.basis].digest,
        recipe,
        batchNames,
        work,
      });
      layers.push({ mediaType: OCI_LAYER_TAR, digest: layer.diffId, size: target.size });
    }
    phases.lap('chunking');
    return { config, layers, fresh: freshLayers };
  } finally {
    await removeTemp();
  }
}

/** Best effort: without the kept index the next delta reads the earlier image instead. */
function keepIndex(diffId: string, index: ChunkIndex): void {
  try {
    saveChunkIndex(chunkIndexDir(), diffId, index);
  } catch {
    // An unwritable cache costs the next delta a docker save, nothing else.
  }
}

/** The new image's config: by the digest the laptop knows it by, else the only one with its layers. */
function pickConfig(saved: SavedImages, built: BuiltImage, newDiffIds: readonly string[]): DeltaSource['config'] {
  const named = [built.id, built.localId].map((id) => id && saved.configs.get(id)).find(Boolean);
  const alike = [...saved.configs].filter(([, c]) => JSON.stringify(c.diffIds) === JSON.stringify(newDiffIds));
  const [digest, found] = named ? [sha256Digest(named.bytes), named] : alike.length === 1 ? alike[0] : [undefined, undefined];
  if (!digest || !found) throw new Error('the new image config could not be told apart in docker save');
  return { descriptor: { mediaType: OCI_CONFIG, digest, size: found.bytes.length }, bytes: found.bytes };
}

/**
 * How large a wanted layer can be: a rebuilt layer more than 3× its basis (plus 64 MB) is not
 * expected, so bigger entries (the OS base under it) are not hashed or written. Should a layer
 * grow past that, it is not found and the delta falls back to docker push. When an earlier image is
 * read too, its basis layer has to be found by its hash: no limit then.
 */
function wantedAtMost(
  bases: readonly number[],
  oldDiffIds: readonly string[],
  oldLayers: readonly Descriptor[],
  cached: ReadonlyMap<string, ChunkIndex>,
  readingBases: boolean,
): number {
  if (readingBases) return Infinity;
  const sizes = bases.map((i) => {
    let end = 0;
    for (const { offset, length } of cached.get(oldDiffIds[i])?.values() ?? []) end = Math.max(end, offset + length);
    return Math.max(end, oldLayers[i].size);
  });
  return 3 * Math.max(0, ...sizes) + 64e6;
}

/** `docker save IMAGE...`, streamed and stopped once `enough`; the process is the teardown's until it ends. */
async function saveImagesFor(
  ctx: DeployContext,
  ids: string[],
  wanted: ReadonlySet<string>,
  temp: string,
  enough: (found: SavedImages) => boolean,
  maxBytes: number,
): Promise<SavedImages> {
  const [command, ...args] = saveImages(ids);
  const save = startProcess([command, ...args]);
  const stop = ctx.teardown.add('docker save for the delta', () => void save.kill('SIGKILL'));
  let stderr = '';
  save.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => save.on('close', (code) => resolve(code ?? 1)));
  try {
    let stopped = false;
    const saved = await readSavedImages(save.stdout, wanted, temp, (found) => (stopped = enough(found)), maxBytes);
    if (stopped) save.kill('SIGKILL');
    else if ((await exited) !== 0) throw new Error(`docker save failed: ${lastLines(stderr, 2)}`);
    return saved;
  } finally {
    await stop();
  }
}
