import assert from 'node:assert/strict';
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chunkIndexDir, KEPT_INDEXES, loadChunkIndex, saveChunkIndex } from '../../../scripts/lib/delta/chunk-index-cache.ts';
import { indexChunks, makeRecipe } from '../../../scripts/lib/delta/recipe.ts';
import { tempDir } from '../../support/cli.ts';
import { SeededRandom } from '../../support/seeded-random.ts';

const random = new SeededRandom('chunk-index-cache');

const dir = tempDir('chunk-index-test-');
after(() => rmSync(dir, { recursive: true, force: true }));
async function* blocks(data: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
}
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

test("a recipe carries the new layer's own index, and it survives the cache byte for byte", async () => {
  const basis = random.bytes(600_000);
  const target = Buffer.concat([basis.subarray(0, 300_000), random.bytes(5000), basis.subarray(300_000)]);
  const recipe = await makeRecipe(blocks(target), await indexChunks(blocks(basis)));
  assert.deepEqual(recipe.index, await indexChunks(blocks(target)));
  saveChunkIndex(dir, digest(1), recipe.index);
  assert.deepEqual(loadChunkIndex(dir, digest(1)), recipe.index);
  assert.equal(loadChunkIndex(dir, digest(2)), undefined, 'no index for a layer never shipped');
});

test('a damaged index file counts as none; a bad digest is refused; the cache keeps only the newest', () => {
  writeFileSync(join(dir, digest(3).slice(7)), Buffer.alloc(45));
  assert.equal(loadChunkIndex(dir, digest(3)), undefined);
  assert.throws(() => saveChunkIndex(dir, '../../etc/passwd', new Map()), /not a layer digest/);
  const index = new Map([[random.bytes(32).toString('base64'), { offset: 5e9, length: 9000 }]]);
  for (let n = 10; n < 10 + KEPT_INDEXES + 5; n++) {
    saveChunkIndex(dir, digest(n), index);
    utimesSync(join(dir, digest(n).slice(7)), n, n);
  }
  const kept = readdirSync(dir);
  assert.equal(kept.length, KEPT_INDEXES);
  assert.ok(kept.includes(digest(10 + KEPT_INDEXES + 4).slice(7)) && !kept.includes(digest(10).slice(7)));
  assert.deepEqual(loadChunkIndex(dir, digest(20)), index, 'offsets past 4 GB survive');
  assert.equal(chunkIndexDir({ XDG_CACHE_HOME: '/c' }), join('/c', 'robot-deploy', 'chunk-index'));
});
