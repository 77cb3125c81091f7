// setup.ts at a real terminal (a pseudo-terminal from util-linux's `script`): the first-contact
// question answered slowly, a password typed with corrections that must never be echoed, and Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { robotFiles } from '../../scripts/dev/sim/state.ts';
import { KnownHosts } from '../../scripts/lib/ssh/host-keys.ts';
import { REPO } from '../support/cli.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { makeProjectDir, waitFor } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

interface Terminal {
  output(): string;
  type(keys: string): void;
  exited: Promise<number>;
}

const terminals: ReturnType<typeof spawn>[] = [];
// A test that failed while setup waited for an answer must not leave it (and this process) waiting.
after(() => {
  for (const child of terminals) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Runs setup.ts on a pseudo-terminal; what it prints and what the terminal echoes arrive in output(). */
function onTerminal(args: string[], home: string, extraEnv: NodeJS.ProcessEnv = {}): Terminal {
  const command = [process.execPath, '--import', 'tsx', join(REPO, 'scripts', 'setup.ts'), ...args].map((arg) => `'${arg}'`).join(' ');
  // Not CI: setup asks only where a person can answer.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, SSH_AUTH_SOCK: '', TERM: 'xterm', ...extraEnv };
  delete env.CI;
  delete env.RD_SSH_PASSWORD;
  const child = spawn('script', ['-q', '-e', '-f', '-c', command, '/dev/null'], {
    cwd: REPO,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  terminals.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return {
    output: () => output,
    type: (keys) => child.stdin.write(keys),
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1)))),
  };
}

describe('setup.ts at a terminal', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['pwtty', 'hopbot'], passwordLogin: ['pwtty'] });

  async function project(): Promise<{ envFile: string; dir: string; home: string }> {
    const robot = fleet().robot('pwtty');
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'tty' });
    const envFile = join(dir, 'robots.env');
    writeFileSync(envFile, `IMAGE=rd-e2e\nWORKSPACES=tty\nPWTTY_HOST=${fleet().user}@${robot.address}\n`);
    // HOME inside the project dir, so it goes when the test process exits.
    const home = join(dir, 'home');
    mkdirSync(home);
    return { envFile, dir, home };
  }

  test('a fingerprint confirmed after 6 s works, and a password typed with corrections is never echoed', async () => {
    const { envFile, dir, home } = await project();
    const term = onTerminal(['pwtty', '--env-file', envFile], home);
    await waitFor('the fingerprint question', () => /continue connecting \(yes\/no\)\?/.test(term.output()), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 6500)); // longer than the 5 s handshake timeout
    term.type('yes\r');
    await waitFor('the password prompt', () => /password \(used once, to add your key\)/.test(term.output()), 30_000);
    const decoy = 'DECOYdecoy';
    // Typed, corrected with Backspace, cursor keys and Ctrl-L: each used to make readline redraw the line.
    term.type(decoy);
    term.type('\x7f'.repeat(decoy.length));
    term.type('\x1b[D\x1b[C\x0c');
    term.type(`${fleet().password}\r`);
    const code = await Promise.race([term.exited, new Promise<number>((resolve) => setTimeout(() => resolve(-2), 60_000))]);
    assert.equal(code, 0, term.output());
    assert.match(term.output(), /key on pwtty\s+done/);
    assert.ok(!term.output().includes(fleet().password), 'the password never appears on the terminal');
    assert.ok(!/DECOY|decoy/.test(term.output()), 'nor the corrected text');
    assert.equal(new KnownHosts(join(dir, 'known_hosts')).pinned('pwtty').length, 1, 'the confirmed key is pinned');
  });

  test('Ctrl-C at the password prompt exits 130 at once and registers nothing', async () => {
    const { envFile, dir, home } = await project();
    const robot = fleet().robot('pwtty');
    const authorizedKeys = join(robotFiles(fleet(), robot.name).home, '.ssh', 'authorized_keys');
    const before = readFileSync(authorizedKeys, 'utf8');
    const term = onTerminal(['pwtty', '--env-file', envFile], home);
    await waitFor('the fingerprint question', () => /continue connecting \(yes\/no\)\?/.test(term.output()), 30_000);
    term.type('yes\r');
    await waitFor('the password prompt', () => /password \(used once, to add your key\)/.test(term.output()), 30_000);
    const sentAt = Date.now();
    term.type('\x03');
    const code = await Promise.race([term.exited, new Promise<number>((resolve) => setTimeout(() => resolve(-2), 10_000))]);
    assert.equal(code, 130, term.output());
    assert.ok(Date.now() - sentAt < 5000, 'within seconds');
    assert.equal(readFileSync(authorizedKeys, 'utf8'), before, 'nothing registered');
    assert.equal(new KnownHosts(join(dir, 'known_hosts')).pinned('pwtty').length, 0, 'nothing pinned without a login');
  });

  test("behind a jump host the hop's fingerprint is asked first, under its own name: no pins nothing, yes pins the hop, then the robot", async () => {
    const robot = fleet().robot('hopbot');
    const dir = makeProjectDir();
    const home = join(dir, 'home');
    mkdirSync(home);
    const sshConfig = join(dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      `Host hopbot\n  HostName ${robot.address}\n  ProxyJump ${fleet().user}@${robot.address}\n  User ${fleet().user}\n`,
    );
    const envFile = join(dir, 'robots.env');
    writeFileSync(envFile, `IMAGE=rd-e2e\nWORKSPACES=tty\nSSH_KEY=${fleet().keyPath}\nHOPBOT_HOST=hopbot\n`);
    const knownHosts = new KnownHosts(join(dir, 'known_hosts'));
    const hopQuestion = new RegExp(
      `authenticity of host 'jump host ${fleet().user}@${robot.address.replace(/\./g, '\\.')} \\(on the way to hopbot\\)' can't be established[^]*continue connecting \\(yes/no\\)\\?`,
    );
    const env = { RD_SSH_CONFIG: sshConfig };

    const declined = onTerminal(['hopbot', '--env-file', envFile], home, env);
    await waitFor('the jump host question', () => hopQuestion.test(declined.output()), 30_000);
    declined.type('no\r');
    assert.notEqual(await declined.exited, 0, declined.output());
    assert.match(declined.output(), /jump host \S+: host key SHA256:\S+ was not accepted; nothing was pinned/);
    assert.equal(knownHosts.pinned(robot.address).length + knownHosts.pinned('hopbot').length, 0, 'nothing pinned');

    const accepted = onTerminal(['hopbot', '--env-file', envFile], home, env);
    await waitFor('the jump host question', () => hopQuestion.test(accepted.output()), 30_000);
    accepted.type('yes\r');
    await waitFor('the robot question', () => /authenticity of host 'hopbot \(/.test(accepted.output()), 30_000);
    accepted.type('yes\r');
    assert.equal(await accepted.exited, 0, accepted.output());
    assert.match(accepted.output(), /key on hopbot\s+already done/);
    assert.equal(knownHosts.pinned(robot.address).length, 1, 'the confirmed jump host is pinned under its ProxyJump name');
    assert.equal(knownHosts.pinned('hopbot').length, 1, 'and the robot under its own');
  });
});
