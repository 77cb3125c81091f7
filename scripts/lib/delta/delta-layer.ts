// One new layer by delta: a recipe against its basis (the earlier layer at its place, whose chunk index
// the laptop kept or reads from the earlier image), the literals the robot lacks, and the robot's
// rebuild (delta-send.ts). Any reason it cannot help, and any failure, leaves the layer
// to the upload, said aloud.
import { createReadStream } from 'node:fs';
import { withReconnect } from '../link/reconnect.ts';
import type { RobotLink } from '../link/robot-link.ts';
import { type Descriptor, OCI_LAYER_TAR, sha256Digest } from '../net/manifest.ts';
import { chunkIndexDir, saveChunkIndex } from './chunk-index-cache.ts';
import { type FreshLayer, sendLayer } from './delta-send.ts';
import type { SavedLayer } from './image-save.ts';
import type { PhaseClock } from './phase-clock.ts';
import { type ChunkIndex, indexChunks, makeRecipe } from './recipe.ts';

export interface DeltaSent {
  /** The layer as the registry now stores it: uncompressed, its digest its diffID. */
  descriptor: Descriptor;
  copiedBytes: number;
  sentBytes: number;
}

/** `image` is IMAGE, the registry repository the layer goes into. */
export async function sendDeltaLayer(
  link: RobotLink,
  image: string,
  ws: string,
  layer: { diffId: string; basis: { diffId: string; blob: Descriptor }; file: SavedLayer },
  basisTar: () => Promise<SavedLayer | undefined>,
  cached: ReadonlyMap<string, ChunkIndex>,
  { report, onBytes, phases }: { report: (text: string) => void; onBytes: (bytes: number) => void; phases: PhaseClock },
): Promise<DeltaSent | undefined> {
  const basisFile = cached.has(layer.basis.diffId) ? undefined : await basisTar();
  const basisIndex = cached.get(layer.basis.diffId) ?? (basisFile ? await indexChunks(createReadStream(basisFile.file)) : undefined);
  if (!basisIndex) {
    report(`${ws}: no delta for layer ${layer.diffId.slice(7, 19)}: the laptop no longer has the earlier layer; sending it whole`);
    return undefined;
  }
  const recipe = await makeRecipe(createReadStream(layer.file.file), basisIndex);
  keepIndex(layer.diffId, recipe.index);
  phases.lap('chunking');
  if (recipe.copiedBytes === 0) {
    report(`${ws}: no delta for layer ${layer.diffId.slice(7, 19)}: no similar earlier layer; sending it whole`);
    return undefined;
  }
  const fresh: FreshLayer = {
    diffId: layer.diffId,
    basisDiffId: layer.basis.diffId,
    basisBlob: layer.basis.blob.digest,
    basisSize: basisFile?.size ?? indexEnd(basisIndex),
    recipe,
    batchNames: recipe.batches.map((batch, i) => `batch.${i}.${sha256Digest(batch).slice(7)}`),
    work: `${layer.diffId.slice(7, 39)}-${layer.basis.diffId.slice(7, 23)}`,
  };
  try {
    const sentBytes = await withReconnect(
      link,
      `the delta of ${ws}`,
      (signal) => sendLayer(link, image, fresh, signal, onBytes, report, phases),
      report,
    );
    return {
      descriptor: { mediaType: OCI_LAYER_TAR, digest: layer.diffId, size: layer.file.size },
      copiedBytes: recipe.copiedBytes,
      sentBytes,
    };
  } catch (error) {
    if (link.deps.signal.aborted) throw error;
    report(`${ws}: delta failed (${(error as Error).message}); sending the layer whole instead`);
    return undefined;
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

/** Where the last chunk of an indexed layer ends: the layer's size. */
function indexEnd(index: ChunkIndex): number {
  let end = 0;
  for (const { offset, length } of index.values()) end = Math.max(end, offset + length);
  return end;
}
