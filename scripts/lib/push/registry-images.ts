// What the robot's registry holds, read through the tunnel: an image by reference, and every layer
// of the project's images by diffID, so a push sends only what the robot lacks, whoever sent the rest.
import { type Descriptor, OCI_LAYER_TAR, parseManifest } from '../net/manifest.ts';
import type { RegistryClient } from '../net/registry-client.ts';

export interface RegistryImage {
  config: Descriptor;
  layers: Descriptor[];
  /** From the image's config; absent when the config is unreadable. */
  diffIds?: string[];
}

/** The image behind a tag or digest (an index resolved to `platform`), or undefined when the registry has none. */
export async function imageIn(registry: RegistryClient, reference: string, platform: string): Promise<RegistryImage | undefined> {
  const text = await registry.manifest(reference);
  if (!text) return undefined;
  let parsed = parseManifest(text);
  if (parsed.kind === 'index') {
    const entry =
      parsed.manifests.find((m) => m.platform === platform) ?? (parsed.manifests.length === 1 ? parsed.manifests[0] : undefined);
    const inner = entry && (await registry.manifest(entry.digest));
    if (!inner) return undefined;
    parsed = parseManifest(inner);
  }
  if (parsed.kind !== 'manifest') return undefined;
  const config = await registry.blob(parsed.config.digest);
  const diffIds = config && diffIdsOfConfig(config);
  return { config: parsed.config, layers: parsed.layers, ...(diffIds ? { diffIds } : {}) };
}

/** The first of `references` the registry still has, and which one it was. */
export async function firstImageIn(
  registry: RegistryClient,
  references: readonly string[],
  platform: string,
): Promise<{ reference: string; image: RegistryImage } | undefined> {
  for (const reference of references) {
    const image = await imageIn(registry, reference, platform);
    if (image) return { reference, image };
  }
  return undefined;
}

/**
 * The registry's blob for each of `wanted` it holds: the layers of every tag of the repository, then
 * for the rest the blobs this laptop uploaded before (`remembered`, found again with HEAD) and a layer
 * an earlier delta stored uncompressed under its diffID.
 */
export async function layersOnRobot(
  registry: RegistryClient,
  platform: string,
  wanted: readonly string[],
  remembered: ReadonlyMap<string, Descriptor>,
): Promise<Map<string, Descriptor>> {
  const tags = await registry.tags();
  const images = await Promise.all(tags.map((tag) => imageIn(registry, tag, platform)));
  const named = new Map<string, Descriptor>();
  for (const image of images) {
    for (const [i, diffId] of (image?.diffIds ?? []).entries()) if (image) named.set(diffId, image.layers[i]);
  }
  const found = new Map<string, Descriptor>();
  await Promise.all(
    wanted.map(async (diffId) => {
      const known = named.get(diffId);
      if (known) return void found.set(diffId, known);
      const candidates = [remembered.get(diffId), { mediaType: OCI_LAYER_TAR, digest: diffId, size: 0 }];
      for (const candidate of candidates) {
        const size = candidate && (await registry.blobSize(candidate.digest));
        if (candidate && size !== undefined) return void found.set(diffId, { ...candidate, size });
      }
    }),
  );
  return found;
}

function diffIdsOfConfig(bytes: Buffer): string[] | undefined {
  try {
    const ids = (JSON.parse(bytes.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}
