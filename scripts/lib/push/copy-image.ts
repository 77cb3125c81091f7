// Copies an image from the registry in the laptop's engine to the robot's, through the tunnel: the
// manifest's exact bytes (so the robot pulls the digest the laptop pushed) and each blob the robot lacks,
// streamed as it is, never unpacked or compressed again.
import { type Descriptor, OCI_INDEX, parseManifest } from '../net/manifest.ts';
import type { RegistryClient } from '../net/registry-client.ts';

/** One blob, unless the robot's registry has it; resolves with the bytes sent. */
export async function copyBlob(from: RegistryClient, to: RegistryClient, blob: Descriptor, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  if ((await to.blobSize(blob.digest)) !== undefined) return 0;
  const body = await from.openBlob(blob.digest);
  // The request's own error reports a failure; an 'error' nobody listens to would end the process.
  body.on('error', () => undefined);
  try {
    await to.uploadStream(body, () => blob.digest, signal);
    return blob.size;
  } finally {
    body.destroy();
  }
}

/**
 * The image behind `digest` (an index with every platform manifest the laptop's registry holds), tagged
 * WS in the robot's registry. Resolves with the config digest of the manifest for `platform`.
 */
export async function copyImage(
  from: RegistryClient,
  to: RegistryClient,
  digest: string,
  ws: string,
  platform: string,
  signal: AbortSignal,
): Promise<{ configDigest: string; bytes: number }> {
  const top = await from.manifestWithType(digest);
  if (!top) throw new Error(`the engine's registry has no manifest ${digest}`);
  const parsed = parseManifest(top.text);
  let configDigest = '';
  let bytes = 0;
  const copyManifest = async (reference: string, text: string, mediaType: string) => {
    const manifest = parseManifest(text);
    if (manifest.kind !== 'manifest') throw new Error(`nested index ${reference} in the engine's registry`);
    for (const blob of [manifest.config, ...manifest.layers]) bytes += await copyBlob(from, to, blob, signal);
    await to.putManifest(reference, text, mediaType);
    return manifest.config.digest;
  };
  if (parsed.kind === 'manifest') configDigest = await copyManifest(digest, top.text, top.mediaType);
  else {
    for (const entry of parsed.manifests) {
      const child = await from.manifestWithType(entry.digest);
      // registry:2 refuses an index whose manifests it lacks, the robot's as the laptop's: say so before that.
      if (!child) throw new Error(`the engine's registry lacks manifest ${entry.digest}, which index ${digest} names; deploy again`);
      const config = await copyManifest(entry.digest, child.text, child.mediaType);
      if (entry.platform === platform || !configDigest) configDigest = config;
    }
    await to.putManifest(digest, top.text, top.mediaType || OCI_INDEX);
  }
  await to.putManifest(ws, top.text, top.mediaType);
  return { configDigest, bytes };
}
