import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, tempDir } from '../support/cli.ts';

test('without bash on PATH, zx runs through a POSIX sh with POSIX quoting', () => {
  const bin = tempDir('rd-nobash-');
  for (const tool of ['sh', 'printf']) {
    const found = ['/usr/bin', '/bin'].map((d) => join(d, tool)).find(existsSync);
    assert.ok(found, `${tool} exists`);
    symlinkSync(found, join(bin, tool));
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'tests', 'support', 'zx-no-bash.ts')], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, PATH: bin },
  });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop()!);
  assert.equal(report.shell, 'posix');
  assert.equal(report.code, 0, report.stderr);
  assert.equal(report.out, "it's|$(echo injected)|a b|`id`||");
});
