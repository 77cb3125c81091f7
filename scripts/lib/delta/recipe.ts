// A layer as a recipe against a basis layer the robot already holds: runs copied from the basis and
// runs of new bytes ("literals"). The robot replays it with tail/head only (commands/robot-delta.ts).
import { constants, gzipSync } from 'node:zlib';
import { chunkKey, contentChunks } from './fastcdc.ts';

export interface RecipeOp {
  /** b: bytes of the basis layer; l: bytes of the literal stream. */
  from: 'b' | 'l';
  offset: number;
  length: number;
}

export type ChunkIndex = Map<string, { offset: number; length: number }>;

/** Where each chunk of the basis layer starts. */
export async function indexChunks(source: AsyncIterable<Uint8Array>): Promise<ChunkIndex> {
  const index: ChunkIndex = new Map();
  let offset = 0;
  for await (const chunk of contentChunks(source)) {
    const key = chunkKey(chunk);
    if (!index.has(key)) index.set(key, { offset, length: chunk.length });
    offset += chunk.length;
  }
  return index;
}

export interface Recipe {
  ops: RecipeOp[];
  /** Literal bytes in batches of about BATCH_BYTES before compression, each one gzip member. */
  batches: Buffer[];
  copiedBytes: number;
  literalBytes: number;
  size: number;
  /** The new layer's own chunk index: the basis of the next delta (chunk-index-cache.ts). */
  index: ChunkIndex;
}

/** Literals are sent in numbered batches of this many raw bytes: a cut link costs at most one. */
export const BATCH_BYTES = 4 * 1024 * 1024;

/** zlib's fastest level: the robot's `gzip -dc` reads it; zstd is not on robots. */
const compress = (data: Buffer): Buffer => gzipSync(data, { level: constants.Z_BEST_SPEED });

export async function makeRecipe(target: AsyncIterable<Uint8Array>, basis: ChunkIndex): Promise<Recipe> {
  const ops: RecipeOp[] = [];
  const batches: Buffer[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let copiedBytes = 0;
  let literalBytes = 0;
  const flush = () => {
    if (pendingBytes) batches.push(compress(Buffer.concat(pending)));
    pending = [];
    pendingBytes = 0;
  };
  const index: ChunkIndex = new Map();
  for await (const chunk of contentChunks(target)) {
    const key = chunkKey(chunk);
    if (!index.has(key)) index.set(key, { offset: copiedBytes + literalBytes, length: chunk.length });
    const hit = basis.get(key);
    const last = ops.at(-1);
    if (hit && hit.length === chunk.length) {
      if (last?.from === 'b' && last.offset + last.length === hit.offset) last.length += chunk.length;
      else ops.push({ from: 'b', offset: hit.offset, length: chunk.length });
      copiedBytes += chunk.length;
      continue;
    }
    if (last?.from === 'l') last.length += chunk.length;
    else ops.push({ from: 'l', offset: literalBytes, length: chunk.length });
    literalBytes += chunk.length;
    pending.push(Buffer.from(chunk));
    pendingBytes += chunk.length;
    if (pendingBytes >= BATCH_BYTES) flush();
  }
  flush();
  return { ops, batches, copiedBytes, literalBytes, size: copiedBytes + literalBytes, index };
}

/** One line per run, "b OFFSET LENGTH" or "l OFFSET LENGTH", as the robot's `read` takes it. */
export const recipeText = (ops: readonly RecipeOp[]): string => ops.map((op) => `${op.from} ${op.offset} ${op.length}\n`).join('');

/** Replays a recipe in memory: what the robot's script does, for tests. */
export function applyRecipe(ops: readonly RecipeOp[], basis: Buffer, literals: Buffer): Buffer {
  return Buffer.concat(ops.map((op) => (op.from === 'b' ? basis : literals).subarray(op.offset, op.offset + op.length)));
}
