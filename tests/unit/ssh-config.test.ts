import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSshConfig, resolveFromConfig } from '../../scripts/lib/ssh/ssh-config.ts';

const CONFIG = `
# team robots
Host nuc nuc-*
  HostName 192.168.1.64
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
    host: '192.168.1.64', user: 'nuc', port: 2222,
    identityFiles: ['/home/me/.ssh/robots_ed25519', '/home/me/.ssh/id_ed25519'],
  });
});

test('user@ and :port from robots.env win over the config', () => {
  const resolved = resolveFromConfig(blocks, { host: 'nuc', user: 'root', port: 22 }, '/home/me');
  assert.equal(resolved.user, 'root');
  assert.equal(resolved.port, 22);
  assert.equal(resolved.host, '192.168.1.64');
});

test('%h expands to the alias; relative IdentityFile is under ~/.ssh', () => {
  const resolved = resolveFromConfig(blocks, { host: 'jetson' }, '/home/me');
  assert.equal(resolved.host, 'jetson.local');
  assert.equal(resolved.user, 'fallback');
  assert.deepEqual(resolved.identityFiles, ['/home/me/.ssh/keys/jetson', '/home/me/.ssh/id_ed25519']);
});

test('wildcards and negation; first value wins; Match blocks are ignored', () => {
  assert.equal(resolveFromConfig(blocks, { host: 'robot1.lab' }, '/h').user, 'lab');
  assert.equal(resolveFromConfig(blocks, { host: 'printer.lab' }, '/h').user, 'fallback');
  assert.equal(resolveFromConfig(blocks, { host: 'nuc-2' }, '/h').host, '192.168.1.64');
});

test('a host not in the config is used as is', () => {
  assert.deepEqual(resolveFromConfig(parseSshConfig(''), { host: '10.0.0.5', user: 'pi' }), { host: '10.0.0.5', user: 'pi', identityFiles: [] });
});
