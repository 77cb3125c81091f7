import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Deferred } from '../../../scripts/lib/runner/deferred.ts';

test('the promise settles with the value given from outside, once', async () => {
  const built = new Deferred<string>();
  built.resolve('sha256:1');
  built.resolve('sha256:2');
  built.reject(new Error('too late'));
  assert.equal(await built.promise, 'sha256:1');
});

test('a rejection from outside reaches whoever waits on it', async () => {
  const built = new Deferred<string>();
  const failure = new Error('build failed');
  built.reject(failure);
  await assert.rejects(built.promise, (error) => error === failure);
});

test('a rejection nobody waits for is no unhandled rejection (robots that failed earlier never wait)', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    new Deferred<string>().reject(new Error('build failed'));
    // Unhandled rejections are reported after the microtask queue drains, before the next macrotask.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
