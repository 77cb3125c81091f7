// FastCDC (Xia et al., USENIX ATC 2016): content-defined chunk boundaries from a gear rolling hash,
// with normalized chunking (a harder mask before the average size, an easier one after it), so an
// edit moves only the boundaries next to it. Hand-written: no maintained npm package does CDC for
// Node 20 (the only FastCDC one on npm is a 2022 WebAssembly build at 0.1.1).
import { createHash } from 'node:crypto';

export const MIN_CHUNK = 2 * 1024;
export const AVERAGE_CHUNK = 8 * 1024;
export const MAX_CHUNK = 64 * 1024;

// Top bits of the 32-bit gear hash depend on the last 32 bytes; 15 bits before the average, 11 after.
const MASK_HARD = 0xfffe0000 | 0;
const MASK_EASY = 0xffe00000 | 0;

/** 256 fixed pseudo-random words, derived from sha256 so every run (and every laptop) cuts alike. */
const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i += 8) {
    const words = createHash('sha256').update(`robot-deploy gear ${i}`).digest();
    for (let j = 0; j < 8; j += 1) table[i + j] = words.readInt32BE(j * 4);
  }
  return table;
})();

/** Length of the chunk that starts at `start`, looking at no more than MAX_CHUNK bytes before `end`. */
export function cutPoint(data: Uint8Array, start: number, end: number): number {
  const available = end - start;
  if (available <= MIN_CHUNK) return available;
  const limit = Math.min(available, MAX_CHUNK);
  const normal = Math.min(limit, AVERAGE_CHUNK);
  let hash = 0;
  let i = MIN_CHUNK;
  for (; i < normal; i += 1) {
    hash = ((hash << 1) + GEAR[data[start + i]]) | 0;
    if ((hash & MASK_HARD) === 0) return i + 1;
  }
  for (; i < limit; i += 1) {
    hash = ((hash << 1) + GEAR[data[start + i]]) | 0;
    if ((hash & MASK_EASY) === 0) return i + 1;
  }
  return limit;
}

/**
 * Chunks of a byte stream, cut exactly as if the whole stream were one buffer: a cut is only made
 * once MAX_CHUNK bytes (or the end) are in hand, so read sizes never change the boundaries.
 */
export async function* contentChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let pending = Buffer.alloc(0);
  for await (const block of source) {
    pending = pending.length ? Buffer.concat([pending, block]) : Buffer.from(block);
    let start = 0;
    while (pending.length - start >= MAX_CHUNK) {
      const length = cutPoint(pending, start, pending.length);
      yield pending.subarray(start, start + length);
      start += length;
    }
    pending = Buffer.from(pending.subarray(start));
  }
  let start = 0;
  while (start < pending.length) {
    const length = cutPoint(pending, start, pending.length);
    yield pending.subarray(start, start + length);
    start += length;
  }
}

/** The key a chunk is found by: its sha256. */
export const chunkKey = (chunk: Uint8Array): string => createHash('sha256').update(chunk).digest('base64');
