// Link patience: what counts as life, when a silent link is lost, how transfers and robot commands
// are bounded, and that the simulator's delay line never reorders a stream.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { departureTime } from '../../../scripts/dev/sim/link-relay.ts';
import { DEFAULT_LINK, silenceLimitMs } from '../../../scripts/lib/config/link-policy.ts';
import { parseProjectConfig } from '../../../scripts/lib/config/load-config.ts';
import { pullDeadlineMs } from '../../../scripts/lib/link/deadlines.ts';
import { withStallGuard } from '../../../scripts/lib/link/stall-guard.ts';
import { watchSilence } from '../../../scripts/lib/ssh/liveness.ts';
import { tempDir } from '../../support/cli.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const QUICK = { aliveIntervalSeconds: 0.1, aliveCountMax: 3, robotTimeoutSeconds: 1 };

test('bytes arriving keep a link alive however long it has been busy; silence past interval × count loses it', async () => {
  const busy = new EventEmitter() as Socket;
  let lostWith: Error | undefined;
  watchSilence(busy, QUICK, (error) => (lostWith = error));
  const lost = (): Error | undefined => lostWith;
  for (let i = 0; i < 10; i++) {
    await sleep(100);
    busy.emit('data', Buffer.from('window adjust'));
  }
  assert.equal(lost(), undefined, 'a link moving data for 1 s (> 0.3 s limit) is alive');
  const started = Date.now();
  while (!lost() && Date.now() - started < 2000) await sleep(20);
  assert.ok(Date.now() - started >= 280, `declared lost after ${Date.now() - started} ms of silence`);
  assert.match(lost()?.message ?? 'not lost', /nothing arrived from the robot for 0 s \(ALIVE_INTERVAL_SECONDS × ALIVE_COUNT_MAX\)/);
  busy.emit('close');
});

test('defaults are OpenSSH-like: 5 s × 3, so a cut is noticed after 15 s', () => {
  assert.equal(silenceLimitMs(DEFAULT_LINK), 15_000);
});

test('robots.env: ALIVE_INTERVAL_SECONDS, ALIVE_COUNT_MAX and ROBOT_TIMEOUT_SECONDS, checked', () => {
  const dir = tempDir('rd-link-');
  const base = 'IMAGE=x\nR1_HOST=a@b\n';
  assert.deepEqual(parseProjectConfig(base, join(dir, 'robots.env')).link, DEFAULT_LINK);
  const tuned = parseProjectConfig(
    `${base}ALIVE_INTERVAL_SECONDS=10\nALIVE_COUNT_MAX=6\nROBOT_TIMEOUT_SECONDS=300\n`,
    join(dir, 'robots.env'),
  );
  assert.deepEqual(tuned.link, { aliveIntervalSeconds: 10, aliveCountMax: 6, robotTimeoutSeconds: 300 });
  assert.throws(
    () => parseProjectConfig(`${base}ALIVE_INTERVAL_SECONDS=0\n`, join(dir, 'robots.env')),
    /robots\.env:3: ALIVE_INTERVAL_SECONDS="0" is not a number of seconds from 1 to 3600/,
  );
  assert.throws(
    () => parseProjectConfig(`${base}ALIVE_COUNT_MAX=lots\n`, join(dir, 'robots.env')),
    /ALIVE_COUNT_MAX="lots" is not a whole number from 1 to 100/,
  );
  assert.throws(() => parseProjectConfig(`${base}ROBOT_TIMEOUT_SECONDS=-1\n`, join(dir, 'robots.env')), /ROBOT_TIMEOUT_SECONDS="-1"/);
});

test('a transfer whose progress stops is aborted with the stall message; one that moves is not', async () => {
  let moved = 0;
  const moving = setInterval(() => (moved += 1), 50);
  const finished = await withStallGuard(
    () => moved,
    300,
    () => new Error('stalled'),
    async () => {
      await sleep(800);
      return 'done';
    },
  );
  clearInterval(moving);
  assert.equal(finished, 'done');
  const started = Date.now();
  await assert.rejects(
    withStallGuard(
      () => 0,
      300,
      () => new Error('the push of ws made no progress'),
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('docker push killed')))),
    ),
    /the push of ws made no progress/,
  );
  assert.ok(Date.now() - started < 1500);
});

test('the pull deadline grows with the image: ROBOT_TIMEOUT_SECONDS plus a second per 2 MB', () => {
  assert.equal(pullDeadlineMs(60), 60_000);
  assert.equal(pullDeadlineMs(60, 1.5e9), 810_000);
});

test('the delay line delays by RTT/2 ± jitter and never lets a chunk overtake the one ahead', () => {
  const shape = { rttMs: 50, jitterMs: 10 };
  assert.equal(
    departureTime(1000, 0, shape, () => 0.5),
    1025,
  );
  assert.equal(
    departureTime(1000, 0, shape, () => 0),
    1015,
  );
  assert.equal(
    departureTime(1000, 0, shape, () => 1),
    1035,
  );
  let previous = 0;
  for (let now = 0; now < 1000; now += 1) {
    const due = departureTime(now, previous, shape);
    assert.ok(due >= previous, 'in order');
    previous = due;
  }
});
