// An ssh-agent that cannot be reached is skipped and the keys are tried, as OpenSSH does (issue 23, finding 1).
// The SSH server is ssh2's own, in this process, on 127.0.0.1: it backs this test of the login alone.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import type { RobotConfig } from '../../../scripts/lib/config/project-config.ts';
import { wellFormedEd25519 } from '../../../scripts/lib/setup/user-key.ts';
import { agentKeys, probeAgent } from '../../../scripts/lib/ssh/agent-probe.ts';
import { planAuth } from '../../../scripts/lib/ssh/auth-plan.ts';
import { connectRobot } from '../../../scripts/lib/ssh/connect.ts';
import { KnownHosts } from '../../../scripts/lib/ssh/host-keys.ts';
import { tempDir } from '../../support/cli.ts';

/** A socket path (a named pipe on Windows) that nothing listens on. */
const nowhere = (name: string) =>
  process.platform === 'win32' ? `\\\\.\\pipe\\rd-test-${name}-${process.pid}` : join(tempDir('rd-agent-'), `${name}.sock`);

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve));
}

test('a stale SSH_AUTH_SOCK and a stopped Windows agent are unreachable, each with its reason; no agent set is no agent', async () => {
  const stale = nowhere('stale');
  assert.deepEqual(await probeAgent({ SSH_AUTH_SOCK: stale }, 'linux'), {
    path: stale,
    unreachable:
      process.platform === 'win32' ? `no pipe ${stale}: the agent is not running` : `no socket ${stale} (a stale SSH_AUTH_SOCK?)`,
  });
  if (process.platform === 'win32') {
    const service = await probeAgent({}, 'win32');
    assert.match(service && 'unreachable' in service ? service.unreachable : '', /the agent is not running/);
  }
  assert.equal(await probeAgent({}, 'linux'), undefined);
});

test('an agent that accepts the connection but never answers is skipped after the time limit', async (t) => {
  const path = nowhere('silent');
  const silent = createServer(() => undefined);
  await listen(silent, path);
  t.after(() => silent.close());
  const state = await probeAgent({ SSH_AUTH_SOCK: path }, 'linux', 300);
  assert.deepEqual(state, { path, unreachable: 'no answer within 0.3 s' });
});

test('an agent that answers lists its keys, and is offered first', async (t) => {
  const path = nowhere('agent');
  const key = ssh2.utils.parseKey(wellFormedEd25519({}).private) as ssh2.ParsedKey;
  const agent = createServer((socket) => {
    const protocol = new ssh2.AgentProtocol(false);
    protocol.on('identities', (request) => protocol.getIdentitiesReply(request, [key]));
    socket.pipe(protocol).pipe(socket);
  });
  await listen(agent, path);
  t.after(() => agent.close());
  assert.deepEqual(
    (await agentKeys(path)).map((k) => k.getPublicSSH().toString('base64')),
    [key.getPublicSSH().toString('base64')],
  );
  const state = await probeAgent({ SSH_AUTH_SOCK: path }, 'linux');
  const plan = planAuth({ username: 'nuc', home: tempDir('rd-home-'), agent: state });
  assert.deepEqual(plan.tried, ['ssh-agent']);
});

/** An SSH server on 127.0.0.1 that lets in the holder of `allowed` and answers one command. */
async function sshServer(allowed: ssh2.ParsedKey): Promise<{ port: number; close: () => void }> {
  const hostKey = wellFormedEd25519({}).private;
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (context) => {
      const ok =
        context.method === 'publickey' &&
        context.key.algo === allowed.type &&
        context.key.data.equals(allowed.getPublicSSH()) &&
        (!context.signature || allowed.verify(context.blob as Buffer, context.signature, context.hashAlgo) === true);
      return ok ? context.accept() : context.reject(['publickey']);
    });
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('exec', (acceptExec) => {
          const channel = acceptExec();
          channel.end('robot answered\n');
          channel.exit(0);
        }),
      ),
    );
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

test('with the agent unreachable, the login goes on with ~/.ssh/id_ed25519, and the failure names the agent it skipped', async (t) => {
  const home = tempDir('rd-home-');
  mkdirSync(join(home, '.ssh'));
  const pair = wellFormedEd25519({});
  writeFileSync(join(home, '.ssh', 'id_ed25519'), pair.private);
  const server = await sshServer(ssh2.utils.parseKey(pair.private) as ssh2.ParsedKey);
  t.after(server.close);
  const saved = { ...process.env };
  t.after(() => {
    for (const name of ['HOME', 'USERPROFILE', 'SSH_AUTH_SOCK', 'RD_SSH_CONFIG']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  // Windows finds no agent pipe (its service is stopped by default); elsewhere a stale SSH_AUTH_SOCK.
  Object.assign(process.env, { HOME: home, USERPROFILE: home, RD_SSH_CONFIG: join(home, 'no-config') });
  if (process.platform === 'win32') delete process.env.SSH_AUTH_SOCK;
  else process.env.SSH_AUTH_SOCK = nowhere('stale');
  const robot: RobotConfig = {
    name: 'robot1',
    envPrefix: 'ROBOT1',
    target: { user: 'nuc', host: '127.0.0.1', port: server.port },
    platform: 'linux/amd64',
    workspaces: [],
    registryPort: 5000,
    delta: false,
  };
  const knownHosts = new KnownHosts(join(home, 'known_hosts'));
  const connection = await connectRobot(robot, { knownHosts });
  try {
    const result = await connection.ssh.execCommand('true');
    assert.equal(result.stdout, 'robot answered');
  } finally {
    connection.close();
  }
  writeFileSync(join(home, '.ssh', 'id_ed25519'), wellFormedEd25519({}).private);
  await assert.rejects(connectRobot(robot, { knownHosts }), (error: Error) => {
    assert.match(error.message, /authentication failed; tried key .*id_ed25519; skipped ssh-agent \((no pipe|no socket) /);
    return true;
  });
});
