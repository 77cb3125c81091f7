// A ROS-like colcon install/ tree for the delta tests: a workspace whose rebuild changes a few files.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUSYBOX_IMAGE } from '../../../scripts/dev/sim/harness.ts';
import { TEST_IMAGE } from './project.ts';

export const WS = 'colcon';
export const ref = `${TEST_IMAGE}:${WS}`;

/**
 * A ROS-like install/ tree on `base`: `count` files of 200 kB of random bytes; `rewrite` rebuilds some and
 * returns their gzip size (the floor).
 */
export function makeInstallTree(dir: string, count = 40, base = BUSYBOX_IMAGE): { rewrite(names: string[]): number } {
  const install = join(dir, WS, 'install');
  mkdirSync(install, { recursive: true });
  const fill = (name: string) => {
    const bytes = randomBytes(200_000);
    writeFileSync(join(install, name), bytes);
    return gzipSync(bytes, { level: 1 }).length;
  };
  for (let i = 0; i < count; i += 1) fill(`lib${String(i).padStart(2, '0')}.so`);
  writeFileSync(
    join(dir, WS, 'Dockerfile'),
    `FROM ${base}\nCOPY ${WS}/install /opt/install\nCMD ["sh", "-c", "cat /opt/install/* | sha256sum"]\n`,
  );
  return { rewrite: (names) => names.reduce((sum, name) => sum + fill(name), 0) };
}

/** Bytes each robot's push step sent, in the order the robots finished. */
export function sentBytes(output: string): number[] {
  const sent = [...output.matchAll(/push: [^\n]*?([\d.]+) (kB|MB) sent/g)].map(
    ([, value, unit]) => Number(value) * (unit === 'MB' ? 1e6 : 1e3),
  );
  assert.ok(sent.length, `no "sent" figure in: ${output}`);
  return sent;
}
