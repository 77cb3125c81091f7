// The delta's basis on the laptop: the chunk indexes of shipped layers it kept (chunk-index-cache.ts),
// and the tag under which it keeps the image it shipped.
import { tagImage } from '../commands/local-docker.ts';
import type { Runner } from '../runner/runner.ts';
import { chunkIndexDir, loadChunkIndex } from './chunk-index-cache.ts';
import type { ChunkIndex } from './recipe.ts';

export function cachedIndexes(diffIds: readonly string[]): Map<string, ChunkIndex> {
  const dir = chunkIndexDir();
  return new Map(
    diffIds.flatMap((diffId) => {
      const index = loadChunkIndex(dir, diffId);
      return index ? [[diffId, index] as const] : [];
    }),
  );
}

/**
 * The laptop keeps what it shipped under this tag, so the next deploy finds the image the robot then
 * holds: the containerd store drops an image whose tag a rebuild moved (the classic store keeps it).
 */
export const basisRef = (image: string, ws: string): string => `${image}:${ws}.delta-basis`;

export async function keepForNextDelta(local: Runner, image: string, ws: string, localId: string): Promise<void> {
  await local.run(tagImage(localId, basisRef(image, ws)));
}
