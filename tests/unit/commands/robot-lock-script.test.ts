// holdLock: the session that holds the robot's lock while the laptop's heartbeat arrives (ssh/robot-lock.ts
// runs it over SSH; here sh runs it with its lock directory moved).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { holdLock } from '../../../scripts/lib/commands/robot-lock-script.ts';
import { makeLockDir, withLockDir } from '../../support/lock-dir.ts';
import { robotShellTest, skipOrFail } from '../../support/skip.ts';

/** Whether someone holds `file`'s flock now (flock -n fails at once when it is held). */
const held = (file: string): boolean => spawnSync('flock', ['-n', file, 'true']).status !== 0;

robotShellTest('the held lock lasts while heartbeats arrive and ends after SECONDS of silence', async (t) => {
  if (spawnSync('flock', ['--version']).error) return skipOrFail(t, 'flock (util-linux) is not installed');
  const dir = makeLockDir();
  const [command, ...args] = withLockDir(holdLock('-x', 1), dir);
  const holder = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => holder.on('exit', resolve));
  t.after(() => holder.kill());
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  const lock = join(dir, 'robot-deploy.lock');
  for (let beat = 0; beat < 6; beat++) {
    holder.stdin.write('.');
    await sleep(400);
    assert.ok(held(lock), `held after ${beat + 1} heartbeats`);
  }
  const silent = Date.now();
  assert.equal(await Promise.race([exited, sleep(5000).then(() => 'still running 5 s later')]), 0);
  assert.ok(Date.now() - silent < 3000, `ended ${Date.now() - silent} ms after the last heartbeat`);
  assert.equal(held(lock), false, 'free once the holder ended');
});
