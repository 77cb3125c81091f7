// deploy --watch's view of the build context: what counts as a change, and the debounce.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ChangeBatch, ContextFilter, watchContext } from '../../scripts/lib/deploy/context-watcher.ts';
import { runScript, tempDir } from '../support/cli.ts';

function context(dockerignore?: string): string {
  const dir = tempDir('rd-watch-');
  if (dockerignore !== undefined) writeFileSync(join(dir, '.dockerignore'), dockerignore);
  return dir;
}

test(".git and what .dockerignore excludes are not changes; robot-deploy's own known_hosts neither", () => {
  const dir = context('build/\n**/*.log\n# a comment\n');
  const filter = new ContextFilter(dir, [join(dir, 'known_hosts')]);
  assert.equal(filter.excludes(join(dir, '.git'), false), true);
  assert.equal(filter.excludes(join(dir, '.git', 'index'), true), true);
  assert.equal(filter.excludes(join(dir, 'build'), false), true);
  assert.equal(filter.excludes(join(dir, 'nav', 'run.log'), true), true);
  assert.equal(filter.excludes(join(dir, 'known_hosts'), true), true);
  assert.equal(filter.excludes(join(dir, 'known_hosts.lock'), true), true);
  assert.equal(filter.excludes(join(dir, 'nav', 'main.cpp'), true), false);
  assert.equal(filter.excludes(join(dir, '.dockerignore'), true), false, 'a new .dockerignore changes the context');
  assert.equal(filter.excludes(dir, false), false);
});

test('a `!` exception keeps its directory walked and its file watched', () => {
  const dir = context('data/\n!data/keep.yaml\n');
  const filter = new ContextFilter(dir);
  assert.equal(filter.excludes(join(dir, 'data'), false), false, 'the directory holding an exception is walked');
  assert.equal(filter.excludes(join(dir, 'data', 'big.bin'), true), true);
  assert.equal(filter.excludes(join(dir, 'data', 'keep.yaml'), true), false);
});

test('several saves in quick succession are one batch; an excluded file is none', async (t) => {
  const dir = context('**/*.log\n'); // docker's patterns match from the root: *.log alone would not cover nav/
  mkdirSync(join(dir, 'nav'));
  const batches: ChangeBatch[] = [];
  const watcher = watchContext(dir, (batch) => batches.push(batch), [], 150);
  t.after(async () => {
    await watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await watcher.ready;
  writeFileSync(join(dir, 'nav', 'debug.log'), 'x');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(batches.length, 0, "a .dockerignore'd file triggers nothing");
  writeFileSync(join(dir, 'nav', 'a.cpp'), '1');
  writeFileSync(join(dir, 'nav', 'b.cpp'), '2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  writeFileSync(join(dir, 'nav', 'a.cpp'), '3');
  const deadline = Date.now() + 5000;
  while (!batches.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(batches.length, 1, JSON.stringify(batches));
  assert.deepEqual(batches[0]!.paths.sort(), [join(dir, 'nav', 'a.cpp'), join(dir, 'nav', 'b.cpp')]);
});

test('--watch is refused with --dry-run and by push.ts, before anything runs', () => {
  const dry = runScript('deploy.ts', ['robot1', '--watch', '--dry-run']);
  assert.equal(dry.status, 2, dry.stderr);
  assert.match(dry.stderr, /--watch rebuilds on every change: use it with deploy\.ts, without --dry-run/);
  const push = runScript('push.ts', ['robot1', '--watch']);
  assert.equal(push.status, 2, push.stderr);
});
