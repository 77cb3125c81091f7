import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { digestStream } from '../../../scripts/lib/files/digest-stream.ts';

test('the bytes pass through unchanged, and the digest and size are of all of them, however they were split', async () => {
  const parts = [Buffer.from('first part, '), Buffer.alloc(70_000, 7), Buffer.from('and the end')];
  const whole = Buffer.concat(parts);
  const seen: [number, number][] = [];
  const measured = digestStream((chunk, sizeSoFar) => seen.push([chunk.length, sizeSoFar]));
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(parts), measured.stream, sink);
  assert.deepEqual(Buffer.concat(out), whole);
  assert.equal(measured.digest(), `sha256:${createHash('sha256').update(whole).digest('hex')}`);
  assert.equal(measured.size(), whole.length);
  let running = 0;
  for (const [length, sizeSoFar] of seen) {
    running += length;
    assert.equal(sizeSoFar, running, 'the callback sees each chunk and the running size');
  }
  assert.equal(running, whole.length);
});
