import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KnownHosts, fingerprint, judgeHostKey, keyType } from '../../scripts/lib/ssh/host-keys.ts';
import { skipOrFail } from '../support/skip.ts';

function generateKey(dir: string, name: string): Buffer | undefined {
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  } catch {
    return undefined;
  }
  return Buffer.from(readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ')[1], 'base64');
}

test('fingerprints match ssh-keygen -l, pins survive a reload, a changed key is named', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-keys-'));
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other) return skipOrFail(t, 'ssh-keygen is not installed');
  const expected = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'a.pub')], { encoding: 'utf8' }).split(' ')[1];
  assert.equal(fingerprint(key), expected);
  assert.equal(keyType(key), 'ssh-ed25519');

  const known = new KnownHosts(join(dir, 'known_hosts'));
  assert.equal(judgeHostKey(known.pinned('robot1'), key).kind, 'first-contact');
  known.pin('robot1', key);
  assert.equal(judgeHostKey(known.pinned('robot1'), key).kind, 'match');
  assert.equal(judgeHostKey(known.pinned('robot2'), key).kind, 'first-contact');
  const changed = judgeHostKey(known.pinned('robot1'), other);
  assert.deepEqual(changed, { kind: 'changed', fingerprint: fingerprint(other), pinnedFingerprints: [expected] });

  assert.equal(known.forget('robot1'), 1);
  assert.equal(judgeHostKey(known.pinned('robot1'), other).kind, 'first-contact');
});

test('the pinned file is OpenSSH known_hosts syntax keyed by robot name', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-keys-'));
  const key = generateKey(dir, 'a');
  if (!key) return skipOrFail(t, 'ssh-keygen is not installed');
  const known = new KnownHosts(join(dir, 'known_hosts'));
  known.pin('jetson', key);
  const found = execFileSync('ssh-keygen', ['-F', 'jetson', '-f', join(dir, 'known_hosts')], { encoding: 'utf8' });
  assert.match(found, /jetson ssh-ed25519 /);
});
