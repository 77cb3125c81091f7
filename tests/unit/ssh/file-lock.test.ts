// The lock two robot-deploy processes take before editing one file (known_hosts): created exclusively,
// waited for up to 5 s, taken over when older than 30 s. The clock is moved by hand where waiting matters,
// so no test waits 5 s or asserts on time.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { withFileLock } from '../../../scripts/lib/ssh/file-lock.ts';

const MODULE = pathToFileURL(resolve(import.meta.dirname, '../../../scripts/lib/ssh/file-lock.ts')).href;

function tempLock(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-file-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'known_hosts.lock');
}

/**
 * Date.now as the lock reads it, a second later at each call: a wait runs out after a few looks instead of
 * 5 s. `onCall` runs at each call (another process acting meanwhile).
 */
function fastClock(t: TestContext, onCall: (call: number) => void = () => undefined): void {
  const start = Date.now();
  let calls = 0;
  t.mock.method(Date, 'now', () => {
    onCall(++calls);
    return start + calls * 1000;
  });
}

test('the work runs holding the lock file, its value is returned, and the lock is gone afterwards', (t) => {
  const lock = tempLock(t);
  const value = withFileLock(lock, () => {
    assert.ok(existsSync(lock), 'held during the work');
    return 42;
  });
  assert.equal(value, 42);
  assert.ok(!existsSync(lock));
  assert.equal(
    withFileLock(lock, () => 'again'),
    'again',
    'free again for the next holder',
  );
});

test('work that throws: the error reaches the caller and the lock is released', (t) => {
  const lock = tempLock(t);
  const failure = new Error('known_hosts is read-only');
  assert.throws(
    () =>
      withFileLock(lock, () => {
        throw failure;
      }),
    (error) => error === failure,
  );
  assert.ok(!existsSync(lock));
});

test('a lock another holder keeps: after the wait it fails naming the file, runs nothing, and leaves their lock alone', (t) => {
  const lock = tempLock(t);
  writeFileSync(lock, '');
  fastClock(t);
  let ran = false;
  assert.throws(
    () =>
      withFileLock(lock, () => {
        ran = true;
      }),
    { message: `${lock} has been held for over 5 s by another robot-deploy` },
  );
  assert.equal(ran, false);
  assert.ok(existsSync(lock), "the other holder's lock is not removed by the one that gave up");
});

test('nested in one process, the inner holder is kept out while the outer holds the lock', (t) => {
  const lock = tempLock(t);
  fastClock(t);
  assert.throws(() => withFileLock(lock, () => withFileLock(lock, () => 'inner')), /has been held for over 5 s/);
  assert.ok(!existsSync(lock), 'the outer holder released it');
});

test('a lock released while waiting is taken, without an error', (t) => {
  const lock = tempLock(t);
  writeFileSync(lock, '');
  // The other holder finishes after the waiter has looked a couple of times (the wait allows about 5 looks).
  fastClock(t, (call) => {
    if (call === 3) rmSync(lock, { force: true });
  });
  let held = false;
  withFileLock(lock, () => {
    held = existsSync(lock);
  });
  assert.ok(held);
  assert.ok(!existsSync(lock));
});

test('a lock older than 30 s (its holder died mid-write) is taken over at once', (t) => {
  const lock = tempLock(t);
  writeFileSync(lock, '');
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(lock, minuteAgo, minuteAgo);
  let held = false;
  assert.equal(
    withFileLock(lock, () => {
      held = existsSync(lock);
      return 'taken over';
    }),
    'taken over',
  );
  assert.ok(held, 'held again by the new holder during its work');
  assert.ok(!existsSync(lock));
});

test('a lock 20 s old is not stale: it is waited for, not taken over', (t) => {
  const lock = tempLock(t);
  writeFileSync(lock, '');
  const recently = new Date(Date.now() - 20_000);
  utimesSync(lock, recently, recently);
  // A real clock for the age (20 s < 30 s) would still hold after the few seconds the fast clock adds.
  fastClock(t);
  assert.throws(() => withFileLock(lock, () => undefined), /has been held for over 5 s/);
  assert.ok(existsSync(lock));
});

test('an error other than "exists" (no such directory) is thrown as it is, and the work does not run', (t) => {
  const lock = join(tempLock(t), '..', 'missing-dir', 'known_hosts.lock');
  let ran = false;
  assert.throws(
    () =>
      withFileLock(lock, () => {
        ran = true;
      }),
    { code: 'ENOENT' },
  );
  assert.equal(ran, false);
});

/** A second node process that takes the lock and holds it until `release` exists. */
function otherProcess(lock: string, release: string): { child: ChildProcess; holding: Promise<void>; exited: Promise<number | null> } {
  const code = `
    import { existsSync } from 'node:fs';
    import { withFileLock } from ${JSON.stringify(MODULE)};
    const pause = new Int32Array(new SharedArrayBuffer(4));
    withFileLock(${JSON.stringify(lock)}, () => {
      process.stdout.write('holding\\n');
      while (!existsSync(${JSON.stringify(release)})) Atomics.wait(pause, 0, 0, 10);
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const holding = new Promise<void>((resolveHolding, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('holding') && resolveHolding());
    child.on('exit', (exitCode) => reject(new Error(`the other process ended (${exitCode}) before holding the lock`)));
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (exitCode) => resolveExit(exitCode)));
  return { child, holding, exited };
}

test('two processes exclude each other: the lock another process holds keeps this one out until it lets go', async (t) => {
  const lock = tempLock(t);
  const release = `${lock}.release`;
  const other = otherProcess(lock, release);
  t.after(() => other.child.kill());
  await other.holding;

  const clock = t.mock.method(
    Date,
    'now',
    (() => {
      const start = Date.now();
      let calls = 0;
      return () => start + ++calls * 1000;
    })(),
  );
  assert.throws(() => withFileLock(lock, () => 'mine'), /has been held for over 5 s by another robot-deploy/);
  clock.mock.restore();

  writeFileSync(release, '');
  assert.equal(await other.exited, 0);
  assert.ok(!existsSync(lock), 'the other process released it');
  assert.equal(
    withFileLock(lock, () => 'mine'),
    'mine',
  );
});
