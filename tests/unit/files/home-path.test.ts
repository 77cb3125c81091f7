// ~ in robots.env and ~/.ssh/config, the known_hosts rename and the laptop cache on Windows (issue 23, findings 5 and 6).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path, { join, sep } from 'node:path';
import { test } from 'node:test';
import { parseProjectConfig } from '../../../scripts/lib/config/load-config.ts';
import { expandHome } from '../../../scripts/lib/files/home-path.ts';
import { laptopCacheRoot } from '../../../scripts/lib/files/laptop-cache.ts';
import { renameRetrying } from '../../../scripts/lib/files/rename-retrying.ts';
import { wellFormedEd25519 } from '../../../scripts/lib/setup/user-key.ts';
import { planAuth } from '../../../scripts/lib/ssh/auth-plan.ts';
import { parseSshConfig, resolveFromConfig } from '../../../scripts/lib/ssh/ssh-config.ts';
import { defaultKeyPaths } from '../../../scripts/lib/ssh/user-ssh-defaults.ts';
import { tempDir } from '../../support/cli.ts';

test('~ expands with the separators of the OS: no C:\\Users\\me/.ssh mix on Windows, ~\\ as well as ~/ there', () => {
  assert.equal(expandHome('~/.ssh/id_ed25519', 'C:\\Users\\me', path.win32), 'C:\\Users\\me\\.ssh\\id_ed25519');
  assert.equal(expandHome('~\\.ssh\\id_ed25519', 'C:\\Users\\me', path.win32), 'C:\\Users\\me\\.ssh\\id_ed25519');
  assert.equal(expandHome('~', 'C:\\Users\\me', path.win32), 'C:\\Users\\me');
  assert.equal(expandHome('~/.ssh/id_ed25519', '/home/me', path.posix), '/home/me/.ssh/id_ed25519');
  assert.equal(expandHome('~\\x', '/home/me', path.posix), '~\\x', 'a backslash is part of a POSIX file name');
  assert.equal(expandHome('~other/x', '/home/me', path.posix), '~other/x');
});

test('SSH_KEY=~/.ssh/id_ed25519 and an IdentityFile ~/.ssh/id_ed25519 are the default key, tried once', () => {
  const dir = tempDir('rd-tilde-');
  const file = join(dir, 'robots.env');
  writeFileSync(file, 'IMAGE=app\nR1_HOST=pi@192.0.2.2\nSSH_KEY=~/.ssh/id_ed25519\n');
  const [defaultKey] = defaultKeyPaths(homedir());
  assert.equal(parseProjectConfig(readFileSync(file, 'utf8'), file).sshKey, defaultKey);
  const home = tempDir('rd-tilde-home-');
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh', 'id_ed25519'), wellFormedEd25519({}).private);
  const config = parseSshConfig('Host r1\n  IdentityFile ~/.ssh/id_ed25519\n', home);
  const { identityFiles } = resolveFromConfig(config, { host: 'r1' }, home);
  assert.deepEqual(identityFiles, [join(home, '.ssh', 'id_ed25519')]);
  assert.deepEqual(planAuth({ username: 'pi', home, configKeys: identityFiles }).tried, [`key ${join(home, '.ssh', 'id_ed25519')}`]);
});

test(`Include ~${sep}config.d${sep}* is read from the home directory (with ${sep === '\\' ? 'a backslash on Windows' : 'a slash'})`, () => {
  const home = tempDir('rd-include-home-');
  mkdirSync(join(home, 'config.d'));
  writeFileSync(join(home, 'config.d', 'lab'), 'Host lab\n  HostName 192.0.2.5\n');
  const config = parseSshConfig(`Include ~${sep}config.d${sep}*\n`, home);
  assert.equal(resolveFromConfig(config, { host: 'lab' }, home).host, '192.0.2.5');
});

test('a rename that meets a sharing violation on Windows is retried; elsewhere, and past the patience, the error stands', () => {
  const violation = () => Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
  let calls = 0;
  renameRetrying(
    'a.tmp',
    'a',
    () => {
      calls += 1;
      if (calls < 3) throw violation();
    },
    'win32',
  );
  assert.equal(calls, 3);
  calls = 0;
  assert.throws(
    () =>
      renameRetrying(
        'a.tmp',
        'a',
        () => {
          calls += 1;
          throw violation();
        },
        'linux',
      ),
    /EPERM/,
  );
  assert.equal(calls, 1, 'POSIX: EPERM is final');
  const started = Date.now();
  assert.throws(
    () =>
      renameRetrying(
        'a.tmp',
        'a',
        () => {
          throw violation();
        },
        'win32',
      ),
    /EPERM/,
  );
  assert.ok(Date.now() - started >= 1900, 'gave up after about 2 s');
  assert.throws(
    () =>
      renameRetrying(
        'a.tmp',
        'a',
        () => {
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        },
        'win32',
      ),
    /ENOENT/,
  );
});

test('the laptop cache is in %LOCALAPPDATA% on Windows, ~/.cache elsewhere, $XDG_CACHE_HOME wherever it is set', () => {
  assert.equal(
    laptopCacheRoot({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32', 'C:\\Users\\me'),
    join('C:\\Users\\me\\AppData\\Local', 'robot-deploy', 'Cache'),
  );
  assert.equal(laptopCacheRoot({}, 'linux', '/home/me'), join('/home/me', '.cache', 'robot-deploy'));
  assert.equal(laptopCacheRoot({ XDG_CACHE_HOME: '/x' }, 'win32', 'C:\\Users\\me'), join('/x', 'robot-deploy'));
  if (process.platform === 'win32')
    assert.equal(laptopCacheRoot(process.env), join(String(process.env.LOCALAPPDATA), 'robot-deploy', 'Cache'));
});
