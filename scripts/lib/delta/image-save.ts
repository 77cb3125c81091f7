// Reads `docker save` as a stream and keeps only what the delta needs: the wanted layers as
// uncompressed tars in temporary files (found by their sha256, which is their diffID) and the image
// configs. The classic store saves layer.tar files; the containerd store saves OCI blobs, which may
// be gzip: those are unpacked on the fly. Nothing else is written to disk for longer than it is read.
import { createWriteStream, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { digestStream } from '../files/digest-stream.ts';
import { sha256Digest } from '../net/manifest.ts';

export interface SavedLayer {
  file: string;
  size: number;
}

export interface SavedImages {
  /** diffID → the layer's uncompressed tar. */
  layers: Map<string, SavedLayer>;
  /** Config digest → its exact bytes (image configs only: JSON with rootfs.diff_ids). */
  configs: Map<string, { bytes: Buffer; diffIds: string[] }>;
}

const SMALL = 1024 * 1024;

export interface SaveReading {
  /** diffIDs of the layers to keep. */
  wanted: ReadonlySet<string>;
  /** Blob digests not wanted: an OCI-layout entry (blobs/sha256/HEX, Docker 25+) named so is passed over unread. */
  unwanted?: ReadonlySet<string>;
  tempDir: string;
  /** Asked after every entry: once it says yes the rest of the save is not read (the caller stops docker save). */
  enough?: (found: SavedImages) => boolean;
  /** Entries larger than this are passed over unread. */
  maxBytes?: number;
}

export async function readSavedImages(save: Readable, reading: SaveReading): Promise<SavedImages> {
  const { wanted, unwanted, tempDir, enough = () => false, maxBytes = Infinity } = reading;
  const found: SavedImages = { layers: new Map(), configs: new Map() };
  const extract = tar.extract();
  save.pipe(extract);
  let n = 0;
  for await (const entry of extract) {
    // Larger than any layer wanted could be (a base layer of the OS), or named as one the robot has: passed over.
    if (entry.header.type !== 'file' || (entry.header.size ?? 0) > maxBytes || unwanted?.has(blobDigestOf(entry.header.name))) {
      entry.resume();
      continue;
    }
    n += 1;
    const file = join(tempDir, `entry-${n}`);
    const { digest, size, small } = await storeEntry(entry as unknown as AsyncIterable<Buffer>, file);
    if (wanted.has(digest) && !found.layers.has(digest)) found.layers.set(digest, { file, size });
    else unlinkSync(file);
    const config = small && imageConfig(small);
    if (config) found.configs.set(sha256Digest(small), { bytes: small, diffIds: config });
    if (enough(found)) {
      save.unpipe(extract);
      extract.destroy();
      break;
    }
  }
  return found;
}

/** "blobs/sha256/HEX" → "sha256:HEX"; other names → "". */
const blobDigestOf = (name: string): string => {
  const match = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
  return match ? `sha256:${match[1]}` : '';
};

/** Writes an entry (gunzipped when it is gzip) to `file`, hashing it on the way. */
async function storeEntry(entry: AsyncIterable<Buffer>, file: string): Promise<{ digest: string; size: number; small?: Buffer }> {
  const head: Buffer[] = [];
  const measured = digestStream((chunk, sizeSoFar) => {
    if (sizeSoFar <= SMALL) head.push(chunk);
  });
  const measure = measured.stream;
  // The first bytes say whether this is gzip (1f 8b); they are put back in front of the rest.
  const iterator = entry[Symbol.asyncIterator]();
  const first = await iterator.next();
  const gzip = !first.done && first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
  async function* all(): AsyncGenerator<Buffer> {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const source = Readable.from(all());
  if (gzip) await pipeline(source, createGunzip(), measure, createWriteStream(file));
  else await pipeline(source, measure, createWriteStream(file));
  const size = measured.size();
  return { digest: measured.digest(), size, ...(size <= SMALL ? { small: Buffer.concat(head) } : {}) };
}

function imageConfig(bytes: Buffer): string[] | undefined {
  if (bytes[0] !== 0x7b) return undefined;
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } };
    return Array.isArray(json.rootfs?.diff_ids) ? json.rootfs.diff_ids : undefined;
  } catch {
    return undefined;
  }
}
