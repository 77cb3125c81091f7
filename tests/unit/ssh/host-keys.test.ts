import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { wellFormedEd25519 } from '../../../scripts/lib/setup/user-key.ts';
import { fingerprint, judgeHostKey, KnownHosts, KnownHostsError, keyType } from '../../../scripts/lib/ssh/host-keys.ts';
import { REPO, tempDir } from '../../support/cli.ts';
import { skipOrFail, skipOrFailUnlessWindows } from '../../support/skip.ts';

/** A key pair in OpenSSH's files, made by ssh2 so it needs no ssh-keygen (node.exe under Wine has none). */
function generateKey(dir: string, name: string): Buffer | undefined {
  const pair = wellFormedEd25519({});
  writeFileSync(join(dir, name), pair.private);
  writeFileSync(join(dir, `${name}.pub`), `${pair.public}\n`);
  return Buffer.from(pair.public.split(' ')[1], 'base64');
}

/** ssh-keygen cross-checks the known_hosts handling where it exists (Linux CI; a real Windows has OpenSSH's). */
function withoutSshKeygen(t: TestContext): boolean {
  if (!spawnSync('ssh-keygen', ['-?']).error) return false;
  skipOrFailUnlessWindows(t, 'ssh-keygen is not installed');
  return true;
}

test('fingerprints match ssh-keygen -l, pins survive a reload, a changed key is named', (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other || withoutSshKeygen(t)) return;
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
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  if (!key || withoutSshKeygen(t)) return;
  const known = new KnownHosts(join(dir, 'known_hosts'));
  known.pin('jetson', key);
  const found = execFileSync('ssh-keygen', ['-F', 'jetson', '-f', join(dir, 'known_hosts')], { encoding: 'utf8' });
  assert.match(found, /jetson ssh-ed25519 /);
});

test('known_hosts in OpenSSH syntax: comma lists, [host]:port, wildcards, negation, hashed names, markers', (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other || withoutSshKeygen(t)) return;
  const b64 = key.toString('base64');
  const file = join(dir, 'known_hosts');
  writeFileSync(join(dir, 'h'), `hashbot ssh-ed25519 ${b64}\n`);
  execFileSync('ssh-keygen', ['-H', '-f', join(dir, 'h')], { stdio: 'ignore' });
  const hashed = readFileSync(join(dir, 'h'), 'utf8').trim();
  assert.match(hashed, /^\|1\|/);
  writeFileSync(
    file,
    [
      '# comment',
      `alpha,beta ssh-ed25519 ${b64}`,
      `[gamma]:2222 ssh-ed25519 ${b64}`,
      `robot-* ssh-ed25519 ${b64}`,
      `*,!robot-x ssh-ed25519 ${other.toString('base64')}`,
      hashed,
      `@cert-authority delta ssh-ed25519 ${b64}`,
      `@revoked epsilon ssh-ed25519 ${b64}`,
    ].join('\n'),
  );
  const known = new KnownHosts(file);
  for (const name of ['alpha', 'beta', 'gamma', 'robot-7', 'hashbot'])
    assert.equal(judgeHostKey(known.pinned(name), key).kind, 'match', name);
  assert.equal(judgeHostKey(known.pinned('robot-x'), key).kind, 'match', 'negated for the * line, matched by robot-*');
  assert.equal(judgeHostKey(known.pinned('zeta'), key).kind, 'changed', 'only the * line applies to zeta');
  assert.equal(judgeHostKey(known.pinned('delta'), other).kind, 'match', 'a CA line is not a pin: only the * line applies');
  assert.equal(judgeHostKey(known.pinned('epsilon'), key).kind, 'revoked');
});

test('a pin after a last line without newline starts a line of its own', (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other) return skipOrFail(t, 'ssh-keygen is not installed');
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `robot1 ssh-ed25519 ${key.toString('base64')}`);
  const known = new KnownHosts(file);
  known.pin('robot2', other);
  assert.equal(judgeHostKey(known.pinned('robot1'), key).kind, 'match');
  assert.equal(judgeHostKey(known.pinned('robot2'), other).kind, 'match');
});

test('forget rewrites in one rename and waits for a pin in progress (lock file)', async (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other) return skipOrFail(t, 'ssh-keygen is not installed');
  const file = join(dir, 'known_hosts');
  const known = new KnownHosts(file);
  known.pin('old', key);
  known.pin('keep', key);
  const inodeBefore = statSync(file).ino;
  // Another process holds the lock while it appends a pin; forget (a child process) must wait for it.
  writeFileSync(`${file}.lock`, '');
  const module = pathToFileURL(join(REPO, 'scripts', 'lib', 'ssh', 'host-keys.ts')).href;
  const script = `import('${module}').then(({ KnownHosts }) => console.log(new KnownHosts(${JSON.stringify(file)}).forget('old')));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(child.exitCode, null, `forget is waiting for the lock: ${output}`);
  appendFileSync(file, `fresh ssh-ed25519 ${other.toString('base64')}\n`);
  rmSync(`${file}.lock`);
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(output.trim(), '1');
  assert.equal(judgeHostKey(known.pinned('fresh'), other).kind, 'match', 'the pin made meanwhile survived');
  assert.equal(judgeHostKey(known.pinned('keep'), key).kind, 'match');
  assert.equal(known.pinned('old').length, 0);
  assert.notEqual(statSync(file).ino, inodeBefore, 'replaced by rename, not rewritten in place');
});

test('an unwritable known_hosts is a KnownHostsError naming the file, not a crash', (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  if (!key) return skipOrFail(t, 'ssh-keygen is not installed');
  const file = join(dir, 'no-such-dir', 'known_hosts');
  assert.throws(
    () => new KnownHosts(file).pin('robot1', key),
    (error: Error) => error instanceof KnownHostsError && error.message.includes(file) && /permissions/.test(error.message),
  );
});

test('a jump host off port 22 is looked up as [host]:port, as it is pinned: its key is checked, not re-pinned', (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other) return skipOrFail(t, 'ssh-keygen is not installed');
  const file = join(dir, 'known_hosts');
  const known = new KnownHosts(file);
  known.pin('[gw]:2222', key);
  assert.equal(judgeHostKey(known.pinned('[gw]:2222'), key).kind, 'match');
  assert.equal(judgeHostKey(known.pinned('[gw]:2222'), other).kind, 'changed', 'another key on that port is refused');
  assert.equal(known.pinned('[gw]:2200').length, 0, 'another port is another host');
  assert.equal(known.pinned('gw').length, 1, 'a robot name (HostKeyAlias) still matches on any port');
  writeFileSync(file, `gw ssh-ed25519 ${other.toString('base64')}\n[g?]:2222 ssh-ed25519 ${key.toString('base64')}\n`);
  assert.deepEqual(
    known.pinned('[gw]:2222').map((pin) => pin.base64),
    [key.toString('base64')],
    'a plain line is port 22 only; a bracketed pattern with wildcards matches',
  );
});

test('pinning a key already pinned for that name (a parallel first contact) adds no second line', (t) => {
  const dir = tempDir('rd-keys-');
  const key = generateKey(dir, 'a');
  const other = generateKey(dir, 'b');
  if (!key || !other) return skipOrFail(t, 'ssh-keygen is not installed');
  const file = join(dir, 'known_hosts');
  // Two connections that both saw a first contact pin one after the other.
  new KnownHosts(file).pin('[gw]:2222', key);
  new KnownHosts(file).pin('[gw]:2222', key);
  new KnownHosts(file).pin('robot1', key);
  new KnownHosts(file).pin('robot1', key);
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'));
  assert.deepEqual(lines, [`[gw]:2222 ssh-ed25519 ${key.toString('base64')}`, `robot1 ssh-ed25519 ${key.toString('base64')}`]);
  new KnownHosts(file).pin('robot1', other);
  assert.equal(new KnownHosts(file).pinned('robot1').length, 2, 'a second, different key is still added');
});
