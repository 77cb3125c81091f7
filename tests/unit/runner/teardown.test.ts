import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Teardown } from '../../../scripts/lib/runner/teardown.ts';

test('teardown closes in reverse order of opening, each once', async () => {
  const teardown = new Teardown();
  const closed: string[] = [];
  for (const name of ['connection', 'tunnel', 'tag']) teardown.add(name, () => void closed.push(name));
  assert.deepEqual(await teardown.run(), []);
  assert.deepEqual(closed, ['tag', 'tunnel', 'connection']);
  assert.equal(teardown.size, 0);
  await teardown.run();
  assert.deepEqual(closed, ['tag', 'tunnel', 'connection'], 'a second run closes nothing again');
});

test('a step closed early by its owner is not closed again by the teardown', async () => {
  const teardown = new Teardown();
  let closes = 0;
  const close = teardown.add('temporary tag', () => void closes++);
  await close();
  await close();
  assert.equal(teardown.size, 0);
  await teardown.run();
  assert.equal(closes, 1);
});

test('a failing or hanging step is reported by label and does not stop the others', async () => {
  const teardown = new Teardown();
  const closed: string[] = [];
  teardown.add('first', () => void closed.push('first'));
  teardown.add('hangs', () => new Promise<void>(() => undefined));
  teardown.add('throws', () => {
    throw new Error('boom');
  });
  teardown.add('rejects', async () => Promise.reject(new Error('no')));
  // The teardown's own timer is unref'd (it must not keep a finished process alive); this one keeps the test's.
  const alive = setInterval(() => undefined, 1000);
  try {
    assert.deepEqual(await teardown.run(50), ['rejects', 'throws', 'hangs']);
  } finally {
    clearInterval(alive);
  }
  assert.deepEqual(closed, ['first']);
});

test('two concurrent runs (Ctrl-C during the normal teardown) share one pass', async () => {
  const teardown = new Teardown();
  let closes = 0;
  teardown.add('slow', () => new Promise<void>((resolve) => setTimeout(() => resolve(void closes++), 20)));
  const [a, b] = await Promise.all([teardown.run(), teardown.run()]);
  assert.deepEqual([a, b], [[], []]);
  assert.equal(closes, 1);
});
