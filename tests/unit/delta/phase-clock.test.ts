import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { PhaseClock } from '../../../scripts/lib/delta/phase-clock.ts';

/** performance.now() answers from `times` (ms), one per call, so the phases' durations are known. */
function clockAt(times: number[]): PhaseClock {
  const queue = [...times];
  mock.method(performance, 'now', () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('performance.now() called more often than the test expected');
    return next;
  });
  return new PhaseClock();
}

test('each lap is the time since the previous lap (or since the clock started), in seconds to two decimals', (t) => {
  t.after(() => mock.restoreAll());
  const clock = clockAt([1000, 2500, 2510, 6000]);
  clock.lap('save');
  clock.lap('chunk');
  clock.lap('send');
  assert.equal(clock.text(), 'save 1.50, chunk 0.01, send 3.49');
});

test("the robot's phase lines are added as robot phases, then its whole apply as one laptop lap", (t) => {
  t.after(() => mock.restoreAll());
  const clock = clockAt([0, 500, 4500]);
  clock.lap('send');
  clock.robot('phase unpack 1234\nnoise line\nphase verify 56\nsome phase 7\nphase bad 1.5\n');
  assert.equal(clock.text(), 'send 0.50, robot unpack 1.23, robot verify 0.06, robot apply 4.00');
});

test('a robot that printed no phase lines still ends its lap; a clock with no laps says nothing', (t) => {
  t.after(() => mock.restoreAll());
  const clock = clockAt([0, 2000]);
  assert.equal(clock.text(), '');
  clock.robot('');
  assert.equal(clock.text(), 'robot apply 2.00');
});
