// One layer uploaded by robot-deploy itself: its tar read from the laptop's temporary copy, gzipped in
// this process and streamed through the tunnel, hashed on the way; the registry checks the digest.
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { digestStream } from '../files/digest-stream.ts';
import type { Descriptor } from '../net/manifest.ts';
import type { RegistryClient } from '../net/registry-client.ts';

export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export async function uploadLayerFile(registry: RegistryClient, file: string, level: number, signal: AbortSignal): Promise<Descriptor> {
  signal.throwIfAborted();
  const measured = digestStream();
  const measure = measured.stream;
  const body = new PassThrough();
  const source = createReadStream(file);
  const gzip = createGzip({ level });
  for (const stage of [source, gzip, measure]) stage.on('error', (error: Error) => body.destroy(error));
  // The request's own error reports a failure; an 'error' nobody listens to would end the process.
  body.on('error', () => undefined);
  source.pipe(gzip).pipe(measure).pipe(body);
  try {
    let digest = '';
    await registry.uploadStream(
      body,
      () => {
        digest = measured.digest();
        return digest;
      },
      signal,
    );
    return { mediaType: OCI_LAYER_GZIP, digest, size: measured.size() };
  } finally {
    for (const stage of [source, gzip, measure, body]) stage.destroy();
  }
}
