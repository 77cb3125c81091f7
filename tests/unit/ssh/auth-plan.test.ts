import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { wellFormedEd25519 } from '../../../scripts/lib/setup/user-key.ts';
import { authHandler, planAuth } from '../../../scripts/lib/ssh/auth-plan.ts';
import { agentPath } from '../../../scripts/lib/ssh/user-ssh-defaults.ts';
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

/** An agent that answered (with no key: the plan does not look at them), and one that could not be reached. */
const agent = { path: '/run/agent.sock', keys: [] };
const stopped = { path: '\\\\.\\pipe\\openssh-ssh-agent', unreachable: 'no pipe \\\\.\\pipe\\openssh-ssh-agent: the agent is not running' };

/** A user with an agent running and a password given. */
const withAgentAndPassword = (dir: string) => ({ username: 'nuc', home: dir, agent, password: 'pw' }) as const;

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
    agent,
  });
  assert.deepEqual(plan.methods, []);
  assert.deepEqual(plan.skipped, [`${join(dir, 'gone')} (file not found)`]);
});

test("a key with a passphrase is skipped with what to do; an unreadable one with ssh2's reason", () => {
  const dir = home({ id_ed25519: 'locked', id_rsa: 'junk' });
  const plan = planAuth({ username: 'nuc', home: dir });
  assert.deepEqual(plan.methods, []);
  assert.equal(plan.skipped.length, 2);
  assert.match(plan.skipped[0], /id_ed25519 \(has a passphrase: add it to ssh-agent\)$/);
  assert.match(plan.skipped[1], /id_rsa \(.+\)$/);
  assert.doesNotMatch(plan.skipped[1], /passphrase/);
});

test('~/.ssh/config IdentityFiles come before the usual names, each key once', () => {
  const dir = home({ robot_key: 'plain', id_ed25519: 'plain' });
  const configKeys = [join(dir, '.ssh', 'robot_key'), join(dir, '.ssh', 'id_ed25519')];
  const plan = planAuth({ username: 'nuc', home: dir, configKeys });
  assert.deepEqual(
    plan.tried,
    configKeys.map((file) => `key ${file}`),
  );
});

test('an agent that could not be reached is skipped and said, and the keys are tried; with SSH_KEY it is not mentioned', () => {
  const dir = home({ id_ed25519: 'plain' });
  const plan = planAuth({ username: 'nuc', home: dir, agent: stopped });
  assert.deepEqual(types(plan), ['publickey']);
  assert.deepEqual(plan.skipped, ['ssh-agent (no pipe \\\\.\\pipe\\openssh-ssh-agent: the agent is not running)']);
  assert.deepEqual(planAuth({ username: 'nuc', home: dir, agent: stopped, keyFile: join(dir, '.ssh', 'id_ed25519') }).skipped, []);
});

test("Windows' agent is its named pipe, without SSH_AUTH_SOCK; elsewhere no socket means no agent", () => {
  assert.equal(agentPath({}, 'win32'), '\\\\.\\pipe\\openssh-ssh-agent');
  assert.equal(agentPath({ SSH_AUTH_SOCK: 'C:\\agent' }, 'win32'), 'C:\\agent');
  assert.equal(agentPath({}, 'darwin'), undefined);
});

test('key registration tries only the password, even with a working key and agent', () => {
  const dir = home({ id_ed25519: 'plain' });
  const plan = planAuth({ ...withAgentAndPassword(dir), passwordOnly: true });
  assert.deepEqual(types(plan), ['password']);
  assert.deepEqual(planAuth({ username: 'nuc', home: dir, passwordOnly: true }).methods, [], 'no password given: nothing to try');
});

test('the handler offers the methods in order, then gives up', () => {
  const plan = planAuth({
    username: 'nuc',
    home: home({}),
    agent,
    password: 'pw',
  });
  const next = authHandler(plan);
  const offered: unknown[] = [];
  for (let i = 0; i < 3; i++) next(null, null, (method) => offered.push(method ? method.type : method));
  assert.deepEqual(offered, ['agent', 'password', false]);
});
