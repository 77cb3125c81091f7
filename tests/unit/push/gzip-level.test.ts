import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAST_LEVEL, gzipLevelFor, SMALL_LEVEL } from '../../../scripts/lib/push/gzip-level.ts';

test('the two levels are gzip levels, the fast one below the small one', () => {
  assert.ok(FAST_LEVEL >= 1 && SMALL_LEVEL <= 9 && FAST_LEVEL < SMALL_LEVEL);
});

test('a first push to a robot (no measured rate) gzips fast, so a fast link never waits on compression', () => {
  assert.equal(gzipLevelFor(undefined), FAST_LEVEL);
});

test('a slow link (Wi-Fi at a few Mbit/s, tens of Mbit/s) gets the smaller output', () => {
  for (const bits of [0, 1e6, 20e6, 50e6]) assert.equal(gzipLevelFor(bits), SMALL_LEVEL, `${bits} bit/s`);
});

test('a link of 100 Mbit/s and more gets the fast level', () => {
  for (const bits of [100e6, 1e9, 10e9]) assert.equal(gzipLevelFor(bits), FAST_LEVEL, `${bits} bit/s`);
});
