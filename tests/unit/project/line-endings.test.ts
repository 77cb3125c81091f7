// A clone made the way Git for Windows makes it (core.autocrlf=true) has LF text (issue 23, finding 3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, tempDir } from '../../support/cli.ts';
import { skipOrFail } from '../../support/skip.ts';

const git = (args: string[], cwd = REPO) => spawnSync('git', args, { cwd, encoding: 'utf8' });

test('a core.autocrlf=true clone has no CRLF in any file', (t) => {
  if (git(['--version']).error) {
    // CI's Windows run (node.exe under Wine) has no Git for Windows; the Linux run checks the same repository.
    if (process.platform !== 'win32') return skipOrFail(t, 'git is not installed');
    console.log(`# SKIP ${t.name}: no git.exe on PATH`);
    return t.skip('no git.exe on PATH');
  }
  if (git(['rev-parse', '--git-dir']).status !== 0) return skipOrFail(t, `${REPO} is not a git checkout`);
  const clone = join(tempDir('rd-crlf-'), 'clone');
  const made = git(['-c', 'core.autocrlf=true', 'clone', '-q', '--no-hardlinks', REPO, clone], tempDir('rd-crlf-cwd-'));
  assert.equal(made.status, 0, made.stderr);
  const files = git(['ls-files', '-z'], clone).stdout.split('\0').filter(Boolean);
  assert.ok(files.length > 100, `${files.length} files checked out`);
  const crlf = files.filter((file) => readFileSync(join(clone, file)).includes('\r\n'));
  assert.deepEqual(crlf, [], 'files checked out with CRLF');
});
