import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineImage, Inventory } from '../../../scripts/lib/commands/robot-prune.ts';
import { selectPrunable } from '../../../scripts/lib/prune/prune-selection.ts';

const id = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const image = (n: number, created: string, tags: string[], digests: string[]): EngineImage => ({
  id: id(n),
  created,
  size: 1,
  tags,
  digests,
});
const ours = (n: number, port = 5000) => `127.0.0.1:${port}/eurobot@sha256:${String(n).repeat(64).slice(0, 64)}`;

function inventory(images: EngineImage[], keep: number[] = [], used: number[] = []): Inventory {
  return { keep: new Set(keep.map(id)), used: new Set(used.map(id)), images, volumes: new Map() };
}

test("prune removes only images robot-deploy pulled for this IMAGE; other software's untagged images stay", () => {
  const images = [
    image(1, '2026-11-01', [], [ours(1)]), // an older deploy
    image(2, '2026-11-02', [], [ours(2, 5001)]), // an older deploy through a teammate's port
    image(3, '2026-11-03', [], [`ghcr.io/vendor/lidar-driver@sha256:${'3'.repeat(64)}`]), // another tool, pulled by digest
    image(4, '2026-11-04', [], []), // dangling: built on the robot by someone
    image(5, '2026-11-05', [], [ours(5), `ghcr.io/vendor/x@sha256:${'5'.repeat(64)}`]), // shared with another name
    image(6, '2026-11-06', [], [`127.0.0.1:5000/other-project@sha256:${'6'.repeat(64)}`]), // another project on the same registry
    image(7, '2026-11-07', [], [ours(7)]), // current (kept)
    image(8, '2026-11-08', [], [ours(8)]), // a container uses it
  ];
  const { doomed } = selectPrunable(inventory(images, [7], [8]), 'eurobot', 0);
  assert.deepEqual(
    doomed.map((i) => i.id),
    [id(2), id(1)],
  );
});

test('--keep N spares the N newest of our older deploys', () => {
  const images = [image(1, '2026-11-01', [], [ours(1)]), image(2, '2026-11-02', [], [ours(2)]), image(3, '2026-11-03', [], [ours(3)])];
  const { doomed, kept } = selectPrunable(inventory(images), 'eurobot', 2);
  assert.deepEqual(
    doomed.map((i) => i.id),
    [id(1)],
  );
  assert.deepEqual(kept.map((i) => i.id).sort(), [id(2), id(3)]);
});

test('a tagged image is never ours, even with our digest; images kept or in use are never candidates', () => {
  const images = [
    image(1, '2026-11-01', ['eurobot:navigation'], [ours(1)]), // IMAGE:WS by tag
    image(2, '2026-11-02', [], [ours(2)]), // the rollback image (keep)
    image(3, '2026-11-03', [], [ours(3)]), // a stopped container's image (used)
  ];
  const { doomed, kept } = selectPrunable(inventory(images, [2], [3]), 'eurobot', 0);
  assert.deepEqual(doomed, []);
  assert.deepEqual(
    kept.map((i) => i.id),
    [id(2)],
  );
});

test('--keep larger than the older deploys spares them all; the newest go first into the kept set', () => {
  const images = [image(1, '2026-11-01', [], [ours(1)]), image(2, '2026-11-03', [], [ours(2)]), image(3, '2026-11-02', [], [ours(3)])];
  assert.deepEqual(selectPrunable(inventory(images), 'eurobot', 5).doomed, []);
  assert.deepEqual(
    selectPrunable(inventory(images), 'eurobot', 1).doomed.map((i) => i.id),
    [id(3), id(1)],
  );
});
