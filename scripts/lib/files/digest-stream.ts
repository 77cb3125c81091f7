// A pass-through stream that hashes (sha256) and counts what flows through it: an upload's digest, a
// layer checked against its diffID, a saved entry's name, all known once the bytes have passed.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export interface DigestStream {
  stream: Transform;
  /** `sha256:…` of every byte so far; call once, after the stream has ended. */
  digest(): string;
  size(): number;
}

export function digestStream(onChunk?: (chunk: Buffer, sizeSoFar: number) => void): DigestStream {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      onChunk?.(chunk, size);
      done(null, chunk);
    },
  });
  return { stream, digest: () => `sha256:${hash.digest('hex')}`, size: () => size };
}
