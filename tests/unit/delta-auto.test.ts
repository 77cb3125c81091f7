import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseProjectConfig } from '../../scripts/lib/config/load-config.ts';
import { decideDelta } from '../../scripts/lib/delta/delta-decision.ts';
import { linkRate, linkRatesFile, MEASURABLE_BYTES, recordLinkRate } from '../../scripts/lib/delta/link-rates.ts';
import { tempDir } from '../support/cli.ts';

const dir = tempDir('delta-auto-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('auto: no measured rate means push; a slow link means delta; a fast one push, and the line says why', () => {
  // The bench's rebuilt ROS layer: 60 MB, about 24 MB gzipped.
  const gzipBasis = { basisBlobBytes: 24e6, basisUncompressed: false };
  assert.deepEqual(decideDelta(gzipBasis), {
    delta: false,
    why: 'auto: no link rate measured for this robot yet (this push measures it)',
  });
  const slow = decideDelta({ ...gzipBasis, bitsPerSecond: 2e6 });
  assert.equal(slow.delta, true);
  assert.match(slow.why, /^auto: push ~96\.0 s at 2\.0 Mbit\/s against delta ~5\.5 s$/);
  assert.equal(decideDelta({ ...gzipBasis, bitsPerSecond: 20e6 }).delta, true);
  assert.equal(decideDelta({ ...gzipBasis, bitsPerSecond: 100e6 }).delta, false);
  // A basis an earlier delta stored uncompressed: its blob is the whole tar, a push would send less.
  const raw = decideDelta({ basisBlobBytes: 60e6, basisUncompressed: true, bitsPerSecond: 2e6 });
  assert.match(raw.why, /push ~96\.0 s .* delta ~5\.5 s/);
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
  assert.equal(parseProjectConfig('IMAGE=app\nR1_HOST=pi@192.0.2.2\n', file).robots[0]!.delta, false, 'off by default');
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
