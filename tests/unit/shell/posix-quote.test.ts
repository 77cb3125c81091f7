import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { joinPosix, quotePosix } from '../../../scripts/lib/shell/posix-quote.ts';
import { robotShellTest, skipOrFail } from '../../support/skip.ts';

const HOSTILE = [
  "it's",
  '$(touch /tmp/pwned)',
  '`id`',
  'a b',
  'semi;colon',
  'new\nline',
  '"double"',
  '\\back',
  '*',
  '~',
  '',
  '-n',
  "''",
  '$HOME',
];

test('safe words pass unquoted, everything else is single-quoted', () => {
  assert.equal(quotePosix('registry:2'), 'registry:2');
  assert.equal(quotePosix('127.0.0.1:5000/img@sha256:ab'), '127.0.0.1:5000/img@sha256:ab');
  assert.equal(quotePosix('a b'), "'a b'");
  assert.equal(quotePosix("it's"), "'it'\\''s'");
  assert.equal(quotePosix(''), "''");
});

for (const shell of ['sh', 'dash', 'bash', 'busybox']) {
  robotShellTest(`every hostile argument survives ${shell} unchanged`, (t) => {
    const argv = shell === 'busybox' ? ['busybox', 'sh'] : [shell];
    try {
      execFileSync(argv[0], [...argv.slice(1), '-c', 'true']);
    } catch {
      return skipOrFail(t, `${shell} is not installed here`);
    }
    const line = joinPosix(['printf', '%s\\0', ...HOSTILE]);
    const out = execFileSync(argv[0], [...argv.slice(1), '-c', line], { encoding: 'utf8' });
    assert.deepEqual(out.split('\0').slice(0, -1), HOSTILE);
  });
}

test('joinPosix refuses an empty command', () => {
  assert.throws(() => joinPosix([]), /empty command/);
});
