import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSshConfig, resolveFromConfig } from '../../../scripts/lib/ssh/ssh-config.ts';
import { tempDir } from '../../support/cli.ts';

const CONFIG = `
# team robots
Host nuc nuc-*
  HostName 192.0.2.64
  User nuc
  Port 2222
  IdentityFile ~/.ssh/robots_ed25519

Host jetson
  HostName %h.local
  IdentityFile keys/jetson

Host *.lab !printer.lab
  User lab

Match host nuc
  User ignored

Host *
  User fallback
  IdentityFile ~/.ssh/id_ed25519
`;

const blocks = parseSshConfig(CONFIG);

test('an alias resolves HostName, User, Port and IdentityFile', () => {
  assert.deepEqual(resolveFromConfig(blocks, { host: 'nuc' }, '/home/me'), {
    host: '192.0.2.64',
    user: 'nuc',
    port: 2222,
    identityFiles: [join('/home/me', '.ssh', 'robots_ed25519'), join('/home/me', '.ssh', 'id_ed25519')],
  });
});

test('user@ and :port from robots.env win over the config', () => {
  const resolved = resolveFromConfig(blocks, { host: 'nuc', user: 'root', port: 22 }, '/home/me');
  assert.equal(resolved.user, 'root');
  assert.equal(resolved.port, 22);
  assert.equal(resolved.host, '192.0.2.64');
});

test('%h expands to the alias; relative IdentityFile is under ~/.ssh', () => {
  const resolved = resolveFromConfig(blocks, { host: 'jetson' }, '/home/me');
  assert.equal(resolved.host, 'jetson.local');
  assert.equal(resolved.user, 'fallback');
  assert.deepEqual(resolved.identityFiles, [join('/home/me', '.ssh', 'keys', 'jetson'), join('/home/me', '.ssh', 'id_ed25519')]);
});

test('wildcards and negation; first value wins; Match blocks are ignored', () => {
  assert.equal(resolveFromConfig(blocks, { host: 'robot1.lab' }, '/h').user, 'lab');
  assert.equal(resolveFromConfig(blocks, { host: 'printer.lab' }, '/h').user, 'fallback');
  assert.equal(resolveFromConfig(blocks, { host: 'nuc-2' }, '/h').host, '192.0.2.64');
});

test('a host not in the config is used as is', () => {
  assert.deepEqual(resolveFromConfig(parseSshConfig(''), { host: '192.0.2.5', user: 'pi' }), {
    host: '192.0.2.5',
    user: 'pi',
    identityFiles: [],
  });
});

test('Include (a glob under ~/.ssh, in sorted order) is read where it stands; first value still wins', () => {
  const home = tempDir('rd-home-');
  mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'config.d', '20-lab'), 'Host lab-*\n  User second\n  Port 2200\n');
  writeFileSync(join(home, '.ssh', 'config.d', '10-team'), 'Host lab-nuc\n  HostName 192.0.2.5\n  User first\n');
  const config = parseSshConfig('Include config.d/*\nHost *\n  User fallback\n', home);
  assert.deepEqual(resolveFromConfig(config, { host: 'lab-nuc' }, home), {
    host: '192.0.2.5',
    user: 'first',
    port: 2200,
    identityFiles: [],
  });
});

test('Match host compares with the HostName found so far; Match exec is never run', () => {
  const marker = join(tempDir('rd-exec-'), 'ran');
  const config = parseSshConfig(
    `Host nuc\n  HostName 192.0.2.64\nMatch exec "touch ${marker}"\n  User exec\nMatch host 192.0.2.*\n  User lan\n  Port 2222\n`,
  );
  assert.deepEqual(resolveFromConfig(config, { host: 'nuc' }, '/home/me'), {
    host: '192.0.2.64',
    user: 'lan',
    port: 2222,
    identityFiles: [],
  });
  assert.equal(existsSync(marker), false, 'Match exec ran a command');
  assert.equal(resolveFromConfig(config, { host: 'other' }, '/home/me').user, undefined);
});

test('ProxyJump hops and ProxyCommand are returned for the connection; none switches them off', () => {
  const config = parseSshConfig(
    `Host nuc\n  HostName 127.0.0.1\n  ProxyJump admin@router:2222,ssh://bastion\nHost pi\n  ProxyCommand ssh -W %h:%p gw\nHost direct\n  ProxyJump none\nHost *\n  ProxyJump fallback\n`,
  );
  assert.deepEqual(resolveFromConfig(config, { host: 'nuc' }, '/h').proxyJump, ['admin@router:2222', 'bastion']);
  const pi = resolveFromConfig(config, { host: 'pi' }, '/h');
  assert.equal(pi.proxyCommand, 'ssh -W %h:%p gw');
  assert.deepEqual(pi.proxyJump, ['fallback'], 'a later ProxyJump is kept too; the connection takes ProxyCommand first as ssh does');
  assert.equal(resolveFromConfig(config, { host: 'direct' }, '/h').proxyJump, undefined);
});
