// Layers read from the registry kept in a laptop engine that runs in a VM: sent whole by copying the
// blob as the engine compressed it, and for a delta unpacked into a temporary file (checked against its
// diffID on the way). A delta's basis is found in the earlier image the laptop pushed there.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { megabytes } from '../cli/display-format.ts';
import type { SavedLayer } from '../delta/image-save.ts';
import { digestStream } from '../files/digest-stream.ts';
import { type Descriptor, OCI_CONFIG, ociDescriptor } from '../net/manifest.ts';
import type { RegistryClient } from '../net/registry-client.ts';
import type { Teardown } from '../runner/teardown.ts';
import { copyBlob } from './copy-image.ts';
import type { LayerSource } from './layer-source.ts';
import { imageIn } from './registry-images.ts';

/** `images`: the new image's digest in the engine's registry first, then earlier ones a basis may come from. */
export async function withStagingSource<T>(
  teardown: Teardown,
  staging: RegistryClient,
  images: readonly string[],
  platform: string,
  work: (source: LayerSource) => Promise<T>,
): Promise<T> {
  const [newest, ...earlier] = await Promise.all(images.map((digest) => imageIn(staging, digest, platform).catch(() => undefined)));
  if (!newest?.diffIds) throw new Error(`the engine's registry has no readable image ${images[0]}`);
  const configBytes = await staging.blob(newest.config.digest);
  if (!configBytes) throw new Error(`the engine's registry has no config ${newest.config.digest}`);
  const blobs = new Map<string, Descriptor>();
  for (const image of [...earlier.reverse(), newest])
    for (const [i, diffId] of (image?.diffIds ?? []).entries()) if (image) blobs.set(diffId, image.layers[i]);
  const temp = mkdtempSync(join(tmpdir(), 'robot-deploy-layers-'));
  const removeTemp = teardown.add('layer files on the laptop', () => rmSync(temp, { recursive: true, force: true }));
  try {
    return await work({
      config: { descriptor: { mediaType: OCI_CONFIG, digest: newest.config.digest, size: configBytes.length }, bytes: configBytes },
      describe: (count, bytes) => `copied ${count} layer(s), ${megabytes(bytes)}, from the engine's registry`,
      tar: async (diffId) => {
        const blob = blobs.get(diffId);
        return blob && unpack(staging, blob, diffId, join(temp, diffId.slice(7)));
      },
      sendWhole: async (diffId, robot, signal) => {
        const blob = blobs.get(diffId);
        if (!blob) throw new Error(`the engine's registry has no layer ${diffId.slice(7, 19)}`);
        await copyBlob(staging, robot, blob, signal);
        return ociDescriptor(blob);
      },
    });
  } finally {
    await removeTemp();
  }
}

/** The blob as an uncompressed tar in `file`, or undefined when it is not the layer `diffId` names. */
async function unpack(staging: RegistryClient, blob: Descriptor, diffId: string, file: string): Promise<SavedLayer | undefined> {
  const measured = digestStream();
  const body = await staging.openBlob(blob.digest);
  const stages = blob.mediaType.endsWith('gzip') ? [createGunzip(), measured.stream] : [measured.stream];
  await pipeline([body, ...stages, createWriteStream(file)]);
  return measured.digest() === diffId ? { file, size: measured.size() } : undefined;
}
