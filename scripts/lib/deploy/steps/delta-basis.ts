// The delta's basis: the earlier image in the robot's registry, and the chunk indexes of its
// layers the laptop kept (chunk-index-cache.ts).
import { chunkIndexDir, loadChunkIndex } from '../../delta/chunk-index-cache.ts';
import { type Descriptor, parseManifest } from '../../delta/manifest.ts';
import type { ChunkIndex } from '../../delta/recipe.ts';
import { getBlob, getManifest } from '../../delta/registry-api.ts';

export function cachedIndexes(diffIds: readonly string[]): Map<string, ChunkIndex> {
  const dir = chunkIndexDir();
  return new Map(
    diffIds.flatMap((diffId) => {
      const index = loadChunkIndex(dir, diffId);
      return index ? [[diffId, index] as const] : [];
    }),
  );
}

/** The earlier image in the robot's registry, by the first reference it still has: its layer descriptors and diffIDs. */
export async function earlierImage(
  port: number,
  repo: string,
  references: readonly string[],
  platform: string,
): Promise<{ digest: string; layers: Descriptor[]; diffIds?: string[] } | undefined> {
  for (const reference of references) {
    const text = await getManifest(port, repo, reference);
    if (!text) continue;
    let parsed = parseManifest(text);
    if (parsed.kind === 'index') {
      const entry =
        parsed.manifests.find((m) => m.platform === platform) ?? (parsed.manifests.length === 1 ? parsed.manifests[0] : undefined);
      const inner = entry && (await getManifest(port, repo, entry.digest));
      if (!inner) continue;
      parsed = parseManifest(inner);
    }
    if (parsed.kind !== 'manifest') continue;
    const config = await getBlob(port, repo, parsed.config.digest);
    const diffIds = config && diffIdsOfConfig(config);
    return { digest: reference, layers: parsed.layers, ...(diffIds ? { diffIds } : {}) };
  }
  return undefined;
}

function diffIdsOfConfig(bytes: Buffer): string[] | undefined {
  try {
    const ids = (JSON.parse(bytes.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}
