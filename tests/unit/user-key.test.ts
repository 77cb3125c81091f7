import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateEd25519 } from '../../scripts/lib/setup/openssh-key.ts';
import { generateUserKey } from '../../scripts/lib/setup/user-key.ts';

test('a key written by someone else while setup makes one is kept, not clobbered', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'rd-key-')), 'id_ed25519');
  const theirs = 'their private key\n';
  const racing = (comment: string) => {
    writeFileSync(path, theirs); // ssh-keygen in another terminal, between setup's check and its write
    return generateEd25519(comment);
  };
  assert.throws(() => generateUserKey(path, racing), /appeared while setup was making a key; it was left as it is/);
  assert.equal(readFileSync(path, 'utf8'), theirs);
});

test('a lone .pub is not overwritten either', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'rd-key-')), 'id_ed25519');
  writeFileSync(`${path}.pub`, 'ssh-ed25519 AAAA old\n');
  assert.throws(() => generateUserKey(path), /\.pub exists without its private key/);
  assert.equal(readFileSync(`${path}.pub`, 'utf8'), 'ssh-ed25519 AAAA old\n');
});
