// The blob each layer became when this laptop uploaded it, kept so that a robot whose tags no longer
// name that layer (a rollback, a branch switched back) is asked with one HEAD instead of sent it again.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { laptopCachePath, replaceFile } from '../files/laptop-cache.ts';
import type { Descriptor } from '../net/manifest.ts';

/** About 200 bytes each: the newest this many are kept. */
export const KEPT_LAYERS = 512;

export function uploadedLayersFile(env: NodeJS.ProcessEnv = process.env): string {
  return laptopCachePath(env, 'uploaded-layers.json');
}

export function rememberedLayers(file: string): Map<string, Descriptor> {
  try {
    const entries = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(entries)) return new Map();
    return new Map(entries.filter(isEntry));
  } catch {
    return new Map();
  }
}

/** Best effort: a cache that cannot be written costs a later push an upload, nothing else. */
export function rememberLayers(file: string, uploaded: ReadonlyMap<string, Descriptor>): void {
  if (uploaded.size === 0) return;
  const all = rememberedLayers(file);
  for (const [diffId, blob] of uploaded) {
    all.delete(diffId);
    all.set(diffId, blob);
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    replaceFile(file, JSON.stringify([...all].slice(-KEPT_LAYERS)));
  } catch {
    // unwritable cache
  }
}

function isEntry(entry: unknown): entry is [string, Descriptor] {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string') return false;
  const blob = entry[1] as Partial<Descriptor> | undefined;
  return typeof blob?.digest === 'string' && typeof blob.mediaType === 'string' && typeof blob.size === 'number';
}
