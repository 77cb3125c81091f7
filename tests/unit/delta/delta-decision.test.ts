import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseProjectConfig } from '../../../scripts/lib/config/load-config.ts';
import { decideDelta } from '../../../scripts/lib/delta/delta-decision.ts';
import { linkRate, linkRatesFile, MEASURABLE_BYTES, recordLinkRate } from '../../../scripts/lib/link/link-rates.ts';
import { tempDir } from '../../support/cli.ts';

const dir = tempDir('delta-auto-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('auto: a slow link means delta, a fast one the whole layer, weighed for the route the layer would take; the line says why', () => {
  // The bench's rebuilt ROS layer: 60 MB, about 24 MB gzipped.
  const gzipBasis = { basisBlobBytes: 24e6, basisUncompressed: false, route: 'docker push' as const };
  const slow = decideDelta({ ...gzipBasis, bitsPerSecond: 2e6 });
  assert.equal(slow.delta, true);
  assert.match(slow.why, /^auto: whole ~96\.0 s at 2\.0 Mbit\/s against delta ~5\.5 s$/);
  assert.equal(decideDelta({ ...gzipBasis, bitsPerSecond: 20e6 }).delta, true);
  assert.equal(decideDelta({ ...gzipBasis, bitsPerSecond: 100e6 }).delta, false);
  // docker push gzips 60 MB on one core (~3 s) whatever the link: on gigabit that, not the wire, bounds it.
  assert.match(decideDelta({ ...gzipBasis, bitsPerSecond: 1e9 }).why, /whole ~3\.0 s/);
  // Staged, the engine compressed the layer already, and the delta reads it without docker save.
  const staged = decideDelta({ ...gzipBasis, route: 'staged', bitsPerSecond: 40e6 });
  assert.match(staged.why, /whole ~4\.8 s at 40\.0 Mbit\/s against delta ~3\.5 s/);
  assert.equal(staged.delta, true);
  // A basis an earlier delta stored uncompressed: its blob is the whole tar, a push would send less.
  const raw = decideDelta({ basisBlobBytes: 60e6, basisUncompressed: true, bitsPerSecond: 2e6, route: 'docker push' });
  assert.match(raw.why, /whole ~96\.0 s .* delta ~5\.5 s/);
});

test('link rates: kept per robot, only from pushes big enough to measure the link; a damaged file counts as none', () => {
  const file = join(dir, 'rates', 'link-rates.json');
  assert.equal(linkRate(file, 'r1'), undefined);
  recordLinkRate(file, 'r1', MEASURABLE_BYTES - 1, 0.1);
  assert.equal(linkRate(file, 'r1'), undefined, 'a small push says nothing about the link');
  recordLinkRate(file, 'r1', 25e6, 10);
  recordLinkRate(file, 'r2', 10e6, 1);
  assert.equal(linkRate(file, 'r1'), 20e6);
  assert.equal(linkRate(file, 'r2'), 80e6);
  assert.equal(linkRate(file, 'r2', 60_000, Date.now() + 61_000), undefined, 'too old for this deploy');
  writeFileSync(file, JSON.stringify({ r1: 8e6 }));
  assert.equal(linkRate(file, 'r1'), 8e6, 'a file of the earlier format still reads');
  assert.equal(linkRate(file, 'r1', 60_000), undefined, 'but its rate has no time, so it is not fresh');
  writeFileSync(file, '{not json');
  assert.equal(linkRate(file, 'r1'), undefined);
  assert.equal(linkRatesFile({ XDG_CACHE_HOME: '/c' }), join('/c', 'robot-deploy', 'link-rates.json'));
});

test('DELTA takes on, off and auto, per robot or for all; anything else is refused with its line', () => {
  const file = join(dir, 'robots.env');
  const config = parseProjectConfig(
    'IMAGE=app\nDELTA=auto\nR1_HOST=pi@192.0.2.2\nR2_HOST=pi@192.0.2.3\nR2_DELTA=off\nR3_HOST=pi@192.0.2.4\nR3_DELTA=on\n',
    file,
  );
  assert.deepEqual(
    config.robots.map((r) => r.delta),
    ['auto', false, true],
  );
  assert.equal(parseProjectConfig('IMAGE=app\nR1_HOST=pi@192.0.2.2\n', file).robots[0]!.delta, 'auto', 'auto by default');
  assert.throws(
    () => parseProjectConfig('IMAGE=app\nR1_HOST=pi@192.0.2.2\nR1_DELTA=maybe\n', file),
    /robots\.env:3: R1_DELTA=maybe: use on, off or auto/,
  );
});

test('link rates: an unwritable cache loses the measurement, never the deploy', () => {
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, '');
  assert.doesNotThrow(() => recordLinkRate(join(blocker, 'link-rates.json'), 'r1', 25e6, 10));
  assert.equal(linkRate(join(blocker, 'link-rates.json'), 'r1'), undefined);
});
