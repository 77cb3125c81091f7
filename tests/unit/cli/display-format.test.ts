// scripts/lib/cli/display-format.ts: image IDs and sizes as every script prints them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { megabytes, shortId } from '../../../scripts/lib/cli/display-format.ts';

test('shortId: the 12 hex digits docker images shows, without the sha256: prefix; a dash for none', () => {
  const id = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
  assert.equal(shortId(id), '0123456789ab');
  assert.equal(shortId('0123456789abcdef'), '0123456789ab');
  assert.equal(shortId(undefined), '-');
  assert.equal(shortId(''), '-');
});

test('megabytes: kB below a million bytes, MB from there, a dash when nothing was measured', () => {
  assert.equal(megabytes(0), '0.0 kB');
  assert.equal(megabytes(999_949), '999.9 kB');
  assert.equal(megabytes(1_000_000), '1.0 MB');
  assert.equal(megabytes(153_400_000), '153.4 MB');
  assert.equal(megabytes(Number.NaN), '—');
});
