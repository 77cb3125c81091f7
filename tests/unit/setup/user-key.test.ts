import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { findUserKey, generateEd25519, generateUserKey } from '../../../scripts/lib/setup/user-key.ts';
import { planAuth } from '../../../scripts/lib/ssh/auth-plan.ts';
import { tempDir } from '../../support/cli.ts';
import { skipOrFailUnlessWindows } from '../../support/skip.ts';

test('a key written by someone else while setup makes one is kept, not clobbered', () => {
  const path = join(tempDir('rd-key-'), 'id_ed25519');
  const theirs = 'their private key\n';
  const racing = (comment: string) => {
    writeFileSync(path, theirs); // ssh-keygen in another terminal, between setup's check and its write
    return generateEd25519(comment);
  };
  assert.throws(() => generateUserKey(path, racing), /appeared while setup was making a key; it was left as it is/);
  assert.equal(readFileSync(path, 'utf8'), theirs);
});

test('a lone .pub is not overwritten either', () => {
  const path = join(tempDir('rd-key-'), 'id_ed25519');
  writeFileSync(`${path}.pub`, 'ssh-ed25519 AAAA old\n');
  assert.throws(() => generateUserKey(path), /\.pub exists without its private key/);
  assert.equal(readFileSync(`${path}.pub`, 'utf8'), 'ssh-ed25519 AAAA old\n');
});

test('a generated key is an unencrypted OpenSSH ed25519 key that ssh-keygen and ssh2 both read', (t) => {
  const path = join(tempDir('rd-key-'), 'id_ed25519');
  const key = generateUserKey(path);
  assert.equal(key.source === 'file' && key.generated, true);
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  // Windows has no file modes (its ACLs on %USERPROFILE% keep the key private).
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.match(key.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ \S+@\S+$/);
  const derived = spawnSync('ssh-keygen', ['-y', '-P', '', '-f', path], { encoding: 'utf8' });
  if (derived.error) return skipOrFailUnlessWindows(t, 'ssh-keygen is not installed');
  assert.equal(derived.status, 0, derived.stderr);
  assert.equal(derived.stdout.trim().split(' ').slice(0, 2).join(' '), key.publicKey.split(' ').slice(0, 2).join(' '));
  const parsed = ssh2.utils.parseKey(text);
  assert.ok(!(parsed instanceof Error) && !Array.isArray(parsed), String(parsed));
  assert.equal((parsed as ssh2.ParsedKey).type, 'ssh-ed25519');
  assert.equal(readFileSync(`${path}.pub`, 'utf8'), `${key.publicKey}\n`);
});

test("every generated key reads back: ssh2's 1-in-256 key with a 31-byte public key (mscdex/ssh2#1390) is never handed out", () => {
  // 2,000 keys: ssh2 alone makes at least one unreadable among them 99.96 % of the time.
  for (let i = 0; i < 2000; i += 1) {
    const key = generateEd25519('me@laptop');
    for (const text of [key.privateKey, key.publicKey]) assert.ok(!(ssh2.utils.parseKey(text) instanceof Error), `key ${i}: ${text}`);
  }
});

test('setup registers the key a deploy then logs in with: an id_ecdsa alone is found by both', async () => {
  const home = tempDir('rd-home-');
  const path = join(home, '.ssh', 'id_ecdsa');
  mkdirSync(join(home, '.ssh'));
  const pair = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256, comment: 'me@laptop' });
  writeFileSync(path, pair.private, { mode: 0o600 });
  writeFileSync(`${path}.pub`, `${pair.public}\n`);
  const found = await findUserKey(undefined, home);
  assert.equal(found?.source === 'file' && found.path, path);
  assert.deepEqual(planAuth({ username: 'nuc', home }).tried, [`key ${path}`]);
});
