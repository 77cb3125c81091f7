import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Descriptor } from '../../../scripts/lib/net/manifest.ts';
import { KEPT_LAYERS, rememberedLayers, rememberLayers, uploadedLayersFile } from '../../../scripts/lib/push/uploaded-layers.ts';

const root = mkdtempSync(join(tmpdir(), 'rd-uploaded-layers-'));
after(() => rmSync(root, { recursive: true, force: true }));
let made = 0;
const freshFile = () => join(root, `cache-${++made}`, 'robot-deploy', 'uploaded-layers.json');

const diffId = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const blob = (n: number): Descriptor => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: `sha256:${n.toString(16).padStart(64, 'f')}`,
  size: 1000 + n,
});

test('the file lives in the laptop cache ($XDG_CACHE_HOME/robot-deploy when set)', () => {
  const cache = join(root, 'xdg');
  assert.equal(uploadedLayersFile({ XDG_CACHE_HOME: cache }), join(cache, 'robot-deploy', 'uploaded-layers.json'));
});

test('layers remembered are read back by diffID, in a directory made for them', () => {
  const file = freshFile();
  rememberLayers(
    file,
    new Map([
      [diffId(1), blob(1)],
      [diffId(2), blob(2)],
    ]),
  );
  assert.ok(existsSync(file));
  assert.deepEqual(
    rememberedLayers(file),
    new Map([
      [diffId(1), blob(1)],
      [diffId(2), blob(2)],
    ]),
  );
});

test('a later push adds to what was remembered, and a layer uploaded again keeps its newest blob', () => {
  const file = freshFile();
  rememberLayers(file, new Map([[diffId(1), blob(1)]]));
  rememberLayers(file, new Map([[diffId(2), blob(2)]]));
  rememberLayers(file, new Map([[diffId(1), blob(9)]]));
  assert.deepEqual(rememberedLayers(file).get(diffId(1)), blob(9));
  assert.deepEqual(rememberedLayers(file).get(diffId(2)), blob(2));
});

test(`only the newest ${KEPT_LAYERS} are kept; one uploaded again counts as new`, () => {
  const file = freshFile();
  rememberLayers(file, new Map(Array.from({ length: KEPT_LAYERS }, (_, i) => [diffId(i), blob(i)])));
  rememberLayers(file, new Map([[diffId(0), blob(0)]]));
  rememberLayers(file, new Map([[diffId(KEPT_LAYERS), blob(KEPT_LAYERS)]]));
  const kept = rememberedLayers(file);
  assert.equal(kept.size, KEPT_LAYERS);
  assert.ok(kept.has(diffId(0)), 'uploaded again, so among the newest');
  assert.ok(!kept.has(diffId(1)), 'the oldest is dropped');
  assert.ok(kept.has(diffId(2)));
  assert.ok(kept.has(diffId(KEPT_LAYERS)));
});

test('nothing uploaded writes no file', () => {
  const file = freshFile();
  rememberLayers(file, new Map());
  assert.ok(!existsSync(file));
});

test('a missing, unreadable or foreign file reads as nothing remembered', () => {
  const file = freshFile();
  assert.deepEqual(rememberedLayers(file), new Map());
  mkdirSync(join(file, '..'), { recursive: true });
  for (const text of ['', '{not json', '{"a":1}', '"text"', 'null']) {
    writeFileSync(file, text);
    assert.deepEqual(rememberedLayers(file), new Map(), text);
  }
});

test('malformed entries are skipped and the rest kept', () => {
  const file = freshFile();
  mkdirSync(join(file, '..'), { recursive: true });
  const { size: _size, ...noSize } = blob(3);
  writeFileSync(
    file,
    JSON.stringify([
      [diffId(1), blob(1)],
      'not an entry',
      [42, blob(2)],
      [diffId(3), noSize],
      [diffId(4), { ...blob(4), size: '4' }],
      [diffId(5)],
      [diffId(6), blob(6)],
    ]),
  );
  assert.deepEqual([...rememberedLayers(file).keys()], [diffId(1), diffId(6)]);
});

test('a cache that cannot be written is no error: the push goes on', () => {
  const blocker = join(root, 'a-file');
  writeFileSync(blocker, 'not a directory');
  const file = join(blocker, 'robot-deploy', 'uploaded-layers.json');
  assert.doesNotThrow(() => rememberLayers(file, new Map([[diffId(1), blob(1)]])));
  assert.equal(readFileSync(blocker, 'utf8'), 'not a directory');
  assert.deepEqual(rememberedLayers(file), new Map());
});
