// The laptop's side of an upload: the layers the robot lacks, read out of the laptop's engine with
// one `docker save` (streamed through the CLI, so it works wherever the engine runs), kept as
// uncompressed tars in a temporary directory only while they are sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { megabytes } from '../cli/display-format.ts';
import { imageWithLayers, inspectLayers, listImageIds, saveImages } from '../commands/local-images.ts';
import { basisRef, cachedIndexes } from '../delta/delta-basis.ts';
import { readSavedImages, type SavedImages } from '../delta/image-save.ts';
import type { BuiltImage } from '../image-build/build-job.ts';
import { OCI_CONFIG, sha256Digest } from '../net/manifest.ts';
import { startProcess } from '../runner/child-process.ts';
import type { Laptop } from '../runner/laptop.ts';
import { lastLines, type Runner } from '../runner/runner.ts';
import type { Teardown } from '../runner/teardown.ts';
import type { ImageConfig, LayerSource } from './layer-source.ts';
import { uploadLayerFile } from './layer-upload.ts';
import type { Shipment } from './shipment.ts';
import type { EarlierImage, UploadPlan } from './upload-plan.ts';

export interface SaveRequest {
  /** The new image first; an earlier one when a delta's basis must be read from it. */
  images: readonly string[];
  /** diffIDs of the layers to keep. */
  wanted: ReadonlySet<string>;
  /** Blob digests known not to be wanted: OCI-layout entries named so are passed over unread. */
  unwanted: ReadonlySet<string>;
  /** The new image's diffIDs: its config is the one listing them. */
  newDiffIds: readonly string[];
  /** Entries larger than this are passed over unread. */
  maxBytes: number;
}

/**
 * The layers the plan sends, from one `docker save` of the new image, and of the earlier one too when a
 * delta's basis has no chunk index on the laptop; sent whole gzipped at `level`.
 */
export async function withSaveSource<T>(
  { laptop, image, ws }: Pick<Shipment, 'laptop' | 'image' | 'ws'>,
  built: BuiltImage & { localId: string },
  newDiffIds: readonly string[],
  plan: UploadPlan & { earlier?: EarlierImage },
  level: number,
  work: (source: LayerSource) => Promise<T>,
): Promise<T> {
  const bases = [...new Set(plan.layers.flatMap((layer) => ('basis' in layer ? [layer.basis.diffId] : [])))];
  const cached = cachedIndexes(bases);
  const uncached = bases.filter((diffId) => !cached.has(diffId));
  const oldLocalId =
    uncached.length && plan.earlier ? await findLocalImage(laptop.local, plan.earlier.diffIds, basisRef(image, ws)) : undefined;
  const request: SaveRequest = {
    images: [built.localId, ...(oldLocalId ? [oldLocalId] : [])],
    wanted: new Set([...plan.layers.filter((layer) => !('reuse' in layer)).map((layer) => layer.diffId), ...(oldLocalId ? uncached : [])]),
    unwanted: new Set(plan.layers.flatMap((layer) => ('reuse' in layer ? [layer.diffId, layer.reuse.digest] : []))),
    newDiffIds,
    maxBytes: Infinity,
  };
  return withSavedLayers(laptop, request, (saved) =>
    work({
      config: pickConfig(saved, built, newDiffIds),
      describe: (count, bytes) => `uploaded ${count} layer(s), ${megabytes(bytes)} at gzip level ${level}`,
      tar: async (diffId) => saved.layers.get(diffId),
      sendWhole: (diffId, robot, signal) => {
        const layer = saved.layers.get(diffId);
        if (!layer) throw new Error(`docker save did not contain layer ${diffId.slice(7, 19)}`);
        return uploadLayerFile(robot, layer.file, level, signal);
      },
    }),
  );
}

/** Runs `work` with the saved layers; the temporary files go afterwards, however it ends. */
async function withSavedLayers<T>(laptop: Laptop, request: SaveRequest, work: (saved: SavedImages) => Promise<T>): Promise<T> {
  const temp = mkdtempSync(join(tmpdir(), 'robot-deploy-layers-'));
  const removeTemp = laptop.teardown.add('layer files on the laptop', () => rmSync(temp, { recursive: true, force: true }));
  try {
    const newConfig = JSON.stringify(request.newDiffIds);
    const enough = (found: SavedImages) =>
      [...request.wanted].every((diffId) => found.layers.has(diffId)) &&
      [...found.configs.values()].some((c) => JSON.stringify(c.diffIds) === newConfig);
    return await work(await saveImagesFor(laptop.teardown, request, temp, enough));
  } finally {
    await removeTemp();
  }
}

/** The new image's config: by the digest the laptop knows it by, else the only one with its layers. */
function pickConfig(saved: SavedImages, built: BuiltImage, newDiffIds: readonly string[]): ImageConfig {
  const named = [built.id, built.localId].map((id) => id && saved.configs.get(id)).find(Boolean);
  const alike = [...saved.configs].filter(([, c]) => JSON.stringify(c.diffIds) === JSON.stringify(newDiffIds));
  const [digest, found] = named ? [sha256Digest(named.bytes), named] : alike.length === 1 ? alike[0] : [undefined, undefined];
  if (!digest || !found) throw new Error('the new image config could not be told apart in docker save');
  return { descriptor: { mediaType: OCI_CONFIG, digest, size: found.bytes.length }, bytes: found.bytes };
}

/** The laptop's copy of the image with exactly these layers, if it still has one. */
async function findLocalImage(local: Runner, diffIds: readonly string[], likely: string): Promise<string | undefined> {
  // Usually the image the laptop tagged when it shipped it: one inspect instead of one of every image.
  const tagged = imageWithLayers((await local.run(inspectLayers([likely]))).stdout, diffIds);
  if (tagged) return tagged;
  const ids = [...new Set((await local.run(listImageIds())).stdout.split(/\s+/).filter(Boolean))];
  if (ids.length === 0) return undefined;
  // A non-zero exit (an image removed meanwhile) still prints the others.
  return imageWithLayers((await local.run(inspectLayers(ids))).stdout, diffIds);
}

/** `docker save IMAGE...`, streamed and stopped once `enough`; the process is the teardown's until it ends. */
async function saveImagesFor(
  teardown: Teardown,
  request: SaveRequest,
  temp: string,
  enough: (found: SavedImages) => boolean,
): Promise<SavedImages> {
  const save = startProcess(saveImages(request.images));
  const stop = teardown.add('docker save of the image', () => void save.kill('SIGKILL'));
  let stderr = '';
  save.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => save.on('close', (code) => resolve(code ?? 1)));
  save.on('error', () => undefined);
  try {
    let stopped = false;
    const saved = await readSavedImages(save.stdout, {
      wanted: request.wanted,
      unwanted: request.unwanted,
      tempDir: temp,
      enough: (found) => (stopped = enough(found)),
      maxBytes: request.maxBytes,
    });
    if (stopped) save.kill('SIGKILL');
    else if ((await exited) !== 0) throw new Error(`docker save failed: ${lastLines(stderr, 2)}`);
    return saved;
  } finally {
    await stop();
  }
}
