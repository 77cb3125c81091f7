import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { wellFormedEd25519 } from '../../../scripts/lib/setup/user-key.ts';
import { authHandler, planAuth } from '../../../scripts/lib/ssh/auth-plan.ts';
import { tempDir } from '../../support/cli.ts';

/** A home with ~/.ssh holding the given keys: 'plain' is usable, 'locked' has a passphrase, 'junk' is no key. */
function home(keys: Record<string, 'plain' | 'locked' | 'junk'>): string {
  const dir = tempDir('rd-auth-home-');
  mkdirSync(join(dir, '.ssh'));
  for (const [name, kind] of Object.entries(keys)) {
    const text =
      kind === 'junk'
        ? 'not a key\n'
        : wellFormedEd25519(kind === 'locked' ? { passphrase: 'secret', cipher: 'aes256-cbc', rounds: 16 } : {}).private;
    writeFileSync(join(dir, '.ssh', name), text);
  }
  return dir;
}

const types = (plan: ReturnType<typeof planAuth>) => plan.methods.map((method) => method.type);

/** A user with an agent running and a password given. */
const withAgentAndPassword = (dir: string) =>
  ({ username: 'nuc', home: dir, env: { SSH_AUTH_SOCK: '/run/agent.sock' }, platform: 'linux', password: 'pw' }) as const;

test('the agent first, then the usual keys that exist and parse, then the password', () => {
  const dir = home({ id_ed25519: 'plain', id_rsa: 'plain' });
  const plan = planAuth(withAgentAndPassword(dir));
  assert.deepEqual(types(plan), ['agent', 'publickey', 'publickey', 'password']);
  assert.deepEqual(plan.tried, ['ssh-agent', `key ${join(dir, '.ssh', 'id_ed25519')}`, `key ${join(dir, '.ssh', 'id_rsa')}`, 'password']);
  assert.deepEqual(plan.skipped, [], 'a missing id_ecdsa is not worth mentioning');
});

test('SSH_KEY is the only key tried, without the agent; a missing SSH_KEY file is said', () => {
  const dir = home({ id_ed25519: 'plain' });
  const plan = planAuth({
    username: 'nuc',
    home: dir,
    keyFile: join(dir, 'gone'),
    env: { SSH_AUTH_SOCK: '/run/agent.sock' },
    platform: 'linux',
  });
  assert.deepEqual(plan.methods, []);
  assert.deepEqual(plan.skipped, [`${join(dir, 'gone')} (file not found)`]);
});

test("a key with a passphrase is skipped with what to do; an unreadable one with ssh2's reason", () => {
  const dir = home({ id_ed25519: 'locked', id_rsa: 'junk' });
  const plan = planAuth({ username: 'nuc', home: dir, env: {}, platform: 'linux' });
  assert.deepEqual(plan.methods, []);
  assert.equal(plan.skipped.length, 2);
  assert.match(plan.skipped[0], /id_ed25519 \(has a passphrase: add it to ssh-agent\)$/);
  assert.match(plan.skipped[1], /id_rsa \(.+\)$/);
  assert.doesNotMatch(plan.skipped[1], /passphrase/);
});

test('~/.ssh/config IdentityFiles come before the usual names, each key once', () => {
  const dir = home({ robot_key: 'plain', id_ed25519: 'plain' });
  const configKeys = [join(dir, '.ssh', 'robot_key'), join(dir, '.ssh', 'id_ed25519')];
  const plan = planAuth({ username: 'nuc', home: dir, configKeys, env: {}, platform: 'linux' });
  assert.deepEqual(
    plan.tried,
    configKeys.map((file) => `key ${file}`),
  );
});

test('Windows reaches its built-in agent by its named pipe, without SSH_AUTH_SOCK; elsewhere no socket means no agent', () => {
  const dir = home({});
  const windows = planAuth({ username: 'nuc', home: dir, env: {}, platform: 'win32' });
  assert.deepEqual(windows.methods, [{ type: 'agent', username: 'nuc', agent: '\\\\.\\pipe\\openssh-ssh-agent' }]);
  assert.deepEqual(planAuth({ username: 'nuc', home: dir, env: {}, platform: 'darwin' }).methods, []);
});

test('key registration tries only the password, even with a working key and agent', () => {
  const dir = home({ id_ed25519: 'plain' });
  const plan = planAuth({ ...withAgentAndPassword(dir), passwordOnly: true });
  assert.deepEqual(types(plan), ['password']);
  assert.deepEqual(planAuth({ username: 'nuc', home: dir, env: {}, passwordOnly: true }).methods, [], 'no password given: nothing to try');
});

test('the handler offers the methods in order, then gives up', () => {
  const plan = planAuth({
    username: 'nuc',
    home: home({}),
    env: { SSH_AUTH_SOCK: '/a' },
    platform: 'linux',
    password: 'pw',
  });
  const next = authHandler(plan);
  const offered: unknown[] = [];
  for (let i = 0; i < 3; i++) next(null, null, (method) => offered.push(method ? method.type : method));
  assert.deepEqual(offered, ['agent', 'password', false]);
});
