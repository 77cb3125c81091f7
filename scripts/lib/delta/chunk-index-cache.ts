// The laptop keeps the chunk index of every layer it shipped by delta, keyed by the layer's diffID,
// so the next delta against it needs neither the earlier image nor a `docker save` of it. The index
// is a pure function of the layer's bytes (content-addressed), so a file found is always right.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { laptopCachePath, replaceFile } from '../files/laptop-cache.ts';
import type { ChunkIndex } from './recipe.ts';

/** At most this many layers' indexes are kept (about 40 bytes per 8 KiB chunk: ~0.3 MB per 60 MB layer). */
export const KEPT_INDEXES = 32;
const ENTRY = 32 + 8 + 4;

export function chunkIndexDir(env: NodeJS.ProcessEnv = process.env): string {
  return laptopCachePath(env, 'chunk-index');
}

const fileOf = (dir: string, diffId: string): string => {
  if (!/^sha256:[0-9a-f]{64}$/.test(diffId)) throw new Error(`not a layer digest: ${diffId}`);
  return join(dir, diffId.slice(7));
};

export function encodeIndex(index: ChunkIndex): Buffer {
  const out = Buffer.alloc(index.size * ENTRY);
  let at = 0;
  for (const [key, { offset, length }] of index) {
    out.write(key, at, 32, 'base64');
    out.writeDoubleBE(offset, at + 32);
    out.writeUInt32BE(length, at + 40);
    at += ENTRY;
  }
  return out;
}

export function decodeIndex(bytes: Buffer): ChunkIndex | undefined {
  if (bytes.length % ENTRY !== 0) return undefined;
  const index: ChunkIndex = new Map();
  for (let at = 0; at < bytes.length; at += ENTRY) {
    index.set(bytes.toString('base64', at, at + 32), {
      offset: bytes.readDoubleBE(at + 32),
      length: bytes.readUInt32BE(at + 40),
    });
  }
  return index;
}

/** The cached index of layer `diffId`, if the laptop kept one (a damaged file counts as none). */
export function loadChunkIndex(dir: string, diffId: string): ChunkIndex | undefined {
  try {
    return decodeIndex(readFileSync(fileOf(dir, diffId)));
  } catch {
    return undefined;
  }
}

/** Keeps `index` for `diffId` (written whole, then renamed) and drops the oldest past KEPT_INDEXES. */
export function saveChunkIndex(dir: string, diffId: string, index: ChunkIndex): void {
  mkdirSync(dir, { recursive: true });
  const file = fileOf(dir, diffId);
  replaceFile(file, encodeIndex(index));
  const kept = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{64}$/.test(name))
    .map((name) => ({ name, time: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.time - a.time);
  for (const { name } of kept.slice(KEPT_INDEXES)) rmSync(join(dir, name), { force: true });
}
