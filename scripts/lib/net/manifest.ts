// Image manifests for the delta path: read the robot registry's earlier manifest, and write the new
// one. New layers are stored uncompressed (OCI layer.v1.tar, digest = diffID), so the robot can check
// a reassembled layer with sha256sum alone; layers the earlier image had keep their registry blobs.
import { createHash } from 'node:crypto';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_LIST].join(', ');

// The same bytes under OCI's names, so the new manifest uses one vocabulary.
const OCI_NAME: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': OCI_LAYER_TAR,
};

/** A blob pushed by docker under docker's media type, named as OCI names the same bytes. */
export const ociDescriptor = (blob: Descriptor): Descriptor => ({ ...blob, mediaType: OCI_NAME[blob.mediaType] ?? blob.mediaType });

export type ParsedManifest =
  | { kind: 'index'; manifests: { digest: string; platform: string }[] }
  | { kind: 'manifest'; config: Descriptor; layers: Descriptor[] };

export function parseManifest(text: string): ParsedManifest {
  const json = JSON.parse(text) as {
    mediaType?: string;
    manifests?: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[];
    config?: Descriptor;
    layers?: Descriptor[];
  };
  if (json.manifests) {
    return {
      kind: 'index',
      manifests: json.manifests.map((m) => ({
        digest: m.digest,
        platform: m.platform ? [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/') : '',
      })),
    };
  }
  if (!json.config || !Array.isArray(json.layers)) throw new Error('the registry answered with something that is not an image manifest');
  return { kind: 'manifest', config: json.config, layers: json.layers };
}

export function composeManifest(config: Descriptor, layers: readonly Descriptor[]): string {
  const pick = (d: Descriptor) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size });
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: pick(config), layers: layers.map(pick) });
}

export const sha256Digest = (data: string | Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** The diffIDs (RootFS.Layers) in a FINGERPRINT_FORMAT line, or undefined when it has none. */
export function diffIdsOfFingerprint(fingerprint: string | undefined): string[] | undefined {
  const list = /(\["sha256:[0-9a-f]{64}"(?:,"sha256:[0-9a-f]{64}")*\])/.exec(fingerprint ?? '')?.[1];
  return list ? (JSON.parse(list) as string[]) : undefined;
}
