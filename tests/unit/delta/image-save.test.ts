import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { readSavedImages } from '../../../scripts/lib/delta/image-save.ts';
import { tempDir } from '../../support/cli.ts';
import { SeededRandom } from '../../support/seeded-random.ts';

const random = new SeededRandom('image-save');

const dir = tempDir('image-save-test-');
after(() => rmSync(dir, { recursive: true, force: true }));
const digest = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A docker save stream as the laptop gets it: a child's stdout (a Node stream). */
function saved(entries: [string, Buffer][]): PassThrough {
  const pack = tar.pack();
  for (const [name, data] of entries) pack.entry({ name, size: data.length }, data);
  pack.finalize();
  const out = new PassThrough();
  pack.pipe(out);
  return out;
}

const base = random.bytes(3_000_000);
const wanted = random.bytes(200_000);
const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [digest(base), digest(wanted)] } }));

test('docker save: the wanted layer is kept (gzip unpacked), a too-large entry is passed over, configs are read', async () => {
  const temp = mkdtempSync(join(dir, 't-'));
  const found = await readSavedImages(
    saved([
      ['aaa/layer.tar', base],
      ['bbb/layer.tar', gzipSync(wanted)],
      [`${digest(config).slice(7)}.json`, config],
    ]),
    { wanted: new Set([digest(wanted), digest(base)]), tempDir: temp, maxBytes: 1_000_000 },
  );
  assert.deepEqual([...found.layers.keys()], [digest(wanted)], 'the 3 MB entry over the limit is not even hashed');
  assert.deepEqual(readFileSync(found.layers.get(digest(wanted))!.file), wanted);
  assert.deepEqual(found.configs.get(digest(config))?.diffIds, [digest(base), digest(wanted)]);
  assert.equal(readdirSync(temp).length, 1, 'nothing but the wanted layer stays on disk');
});

test('docker save: reading stops once enough is read', async () => {
  const temp = mkdtempSync(join(dir, 't-'));
  let asked = 0;
  const found = await readSavedImages(
    saved([
      ['a/layer.tar', wanted],
      ['b/layer.tar', base],
      ['c/layer.tar', random.bytes(1000)],
    ]),
    {
      wanted: new Set([digest(wanted)]),
      tempDir: temp,
      enough: (f) => {
        asked += 1;
        return f.layers.has(digest(wanted));
      },
    },
  );
  assert.equal(asked, 1, 'nothing after the wanted layer was read');
  assert.ok(found.layers.has(digest(wanted)));
});

test('docker save: an OCI-layout blob named as one the robot has is passed over unread', async () => {
  const temp = mkdtempSync(join(dir, 't-'));
  let hashed = 0;
  const found = await readSavedImages(
    saved([
      [`blobs/sha256/${digest(base).slice(7)}`, base],
      [`blobs/sha256/${digest(wanted).slice(7)}`, wanted],
    ]),
    {
      wanted: new Set([digest(wanted), digest(base)]),
      unwanted: new Set([digest(base)]),
      tempDir: temp,
      enough: (f) => {
        hashed += 1;
        return f.layers.size === 2;
      },
    },
  );
  assert.deepEqual([...found.layers.keys()], [digest(wanted)]);
  assert.equal(hashed, 1, 'only the blob not named unwanted was read');
});
