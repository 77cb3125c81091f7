import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'dotenv';
import { NodeSSH } from 'node-ssh';
import { hostPlatform } from '../../scripts/dev/sim/names.ts';
import { leftovers } from './support/leftovers.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { TEST_SIM_SCOPE, useSimFleet } from './support/sim-fleet.ts';

const exec = promisify(execFile);
const RATE = '8mbit';

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (result: string) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done('connected'));
    socket.once('timeout', () => done('timeout'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

describe('simulated robots', simSuiteOptions(), () => {
  const fleet = useSimFleet({
    names: ['keybot', 'passbot'],
    passwordLogin: ['passbot'],
    withoutRegistry: ['passbot'],
    rates: { keybot: RATE },
  });

  function sshArgs(address: string, ...command: string[]): string[] {
    const f = fleet();
    return [
      '-i',
      f.keyPath,
      '-o',
      `UserKnownHostsFile=${f.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      `${f.user}@${address}`,
      ...command,
    ];
  }

  /** Runs a command on a robot with the system ssh client, timing it; stdin from `input`. */
  function sshRun(address: string, command: string, input?: Buffer): Promise<{ stdout: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn('ssh', sshArgs(address, command), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) =>
        code === 0 ? resolve({ stdout, ms: performance.now() - started }) : reject(new Error(`ssh exited ${code}: ${stderr}`)),
      );
      child.stdin.end(input);
    });
  }

  test('key login reaches the robot and docker talks to its own engine', async () => {
    const keybot = fleet().robot('keybot');
    const passbot = fleet().robot('passbot');
    const { stdout } = await sshRun(
      keybot.address,
      'hostname; docker info --format "{{.Name}}"; echo "$DOCKER_HOST"; docker images --format "{{.Repository}}:{{.Tag}}"',
    );
    const [hostname, engineName, dockerHost, ...images] = stdout.trim().split('\n');
    assert.equal(hostname, 'keybot');
    assert.equal(engineName, 'keybot');
    assert.equal(dockerHost, keybot.dockerHost);
    assert.ok(images.includes('registry:2'), `registry:2 missing from keybot's engine: ${images.join(', ')}`);

    const fromHost = await exec('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], {
      env: passbot.dockerEnv(),
    });
    assert.ok(!fromHost.stdout.includes('registry:2'), 'passbot was started without registry:2, so its engine must not have it');
    assert.notEqual(passbot.dockerHost, keybot.dockerHost);
  });

  test('registry:2 runs in the robot engine and answers through an ssh tunnel', async () => {
    const f = fleet();
    const keybot = f.robot('keybot');
    await sshRun(keybot.address, 'docker run -d --name sim-test-registry -p 127.0.0.1:5000:5000 registry:2');
    const ssh = await new NodeSSH().connect({
      host: keybot.address,
      username: f.user,
      privateKeyPath: f.keyPath,
      readyTimeout: 10_000,
    });
    try {
      let answer = '';
      for (let attempt = 0; attempt < 50 && !answer.startsWith('HTTP/1.0 200'); attempt++) {
        if (attempt) await new Promise((r) => setTimeout(r, 200));
        answer = await new Promise<string>((resolve) => {
          ssh.connection?.forwardOut('127.0.0.1', 0, '127.0.0.1', 5000, (err, stream) => {
            if (err) return resolve(`forward failed: ${err.message}`);
            let body = '';
            stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
            stream.on('close', () => resolve(body));
            stream.end('GET /v2/ HTTP/1.0\r\nHost: localhost\r\n\r\n');
          });
        });
      }
      assert.match(answer, /^HTTP\/1\.0 200/);
    } finally {
      ssh.dispose();
    }
  });

  test('password robot takes the password and refuses the key; key robot refuses passwords', async () => {
    const f = fleet();
    const passbot = f.robot('passbot');
    const withPassword = await new NodeSSH().connect({
      host: passbot.address,
      username: f.user,
      password: f.password,
      readyTimeout: 10_000,
    });
    try {
      const result = await withPassword.execCommand('echo "$DOCKER_HOST"');
      assert.equal(result.stdout.trim(), passbot.dockerHost);
    } finally {
      withPassword.dispose();
    }
    await assert.rejects(
      new NodeSSH().connect({
        host: passbot.address,
        username: f.user,
        privateKeyPath: f.keyPath,
        readyTimeout: 10_000,
      }),
      /authentication/i,
    );
    await assert.rejects(
      new NodeSSH().connect({
        host: f.robot('keybot').address,
        username: f.user,
        password: f.password,
        readyTimeout: 10_000,
      }),
      /authentication/i,
    );
  });

  test('the rate-limited robot is shaped on both ends of its link', async () => {
    const keybot = fleet().robot('keybot');
    const hostSide = await exec('tc', ['qdisc', 'show', 'dev', keybot.hostVeth]);
    const robotSide = await exec('tc', ['-n', keybot.netns, 'qdisc', 'show']);
    for (const out of [hostSide.stdout, robotSide.stdout]) assert.match(out, /tbf .*rate 8Mbit/);
    const passbot = fleet().robot('passbot');
    assert.doesNotMatch((await exec('tc', ['qdisc', 'show', 'dev', passbot.hostVeth])).stdout, /tbf/);

    // 1.5 MiB at 8 Mbit/s takes about 1.6 s each way; unshaped it would take a few milliseconds.
    const upload = await sshRun(keybot.address, 'cat > /dev/null', randomBytes(1.5 * 1024 * 1024));
    assert.ok(upload.ms > 1_000, `upload of 1.5 MiB took ${upload.ms.toFixed(0)} ms; the link is not shaped`);
    const download = await sshRun(keybot.address, 'head -c 1572864 /dev/urandom');
    assert.equal(download.stdout.length > 0, true);
    assert.ok(download.ms > 1_000, `download of 1.5 MiB took ${download.ms.toFixed(0)} ms; the link is not shaped`);
  });

  test('cutLink makes ssh unreachable and restoreLink brings it back', async () => {
    const passbot = fleet().robot('passbot');
    assert.equal(await tcpConnect(passbot.address, 22, 3_000), 'connected');
    await passbot.cutLink();
    try {
      assert.notEqual(await tcpConnect(passbot.address, 22, 3_000), 'connected');
    } finally {
      await passbot.restoreLink();
    }
    assert.equal(await tcpConnect(passbot.address, 22, 3_000), 'connected');
  });

  test('writeRobotsEnv writes the deploy tool contract', async () => {
    const f = fleet();
    const file = join(f.stateDir, 'robots.test.env');
    await f.writeRobotsEnv(file, { EXTRA_SETTING: 'yes' });
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# Simulated robots written by scripts\/dev\/sim-robot\.ts env\n/);
    const env = parse(text);
    assert.deepEqual(env, {
      IMAGE: 'robot-deploy-demo',
      CONTEXT: join(f.stateDir, 'workspace'),
      WORKSPACES: 'demo',
      PLATFORM: hostPlatform(),
      SSH_KEY: f.keyPath,
      REGISTRY_PORT: '5000',
      KEYBOT_HOST: `rdsim@${f.robot('keybot').address}`,
      PASSBOT_HOST: `rdsim@${f.robot('passbot').address}`,
      EXTRA_SETTING: 'yes',
    });
    assert.ok(existsSync(join(env.CONTEXT as string, 'demo', 'Dockerfile')));
    assert.ok(existsSync(join(env.CONTEXT as string, 'demo', 'message.txt')));
  });

  test('down leaves nothing behind and is safe to repeat', async () => {
    const f = fleet();
    const scope = { subnet: TEST_SIM_SCOPE.subnet, stateDir: TEST_SIM_SCOPE.stateDir };
    assert.notDeepEqual(leftovers(TEST_SIM_SCOPE.prefix, scope), [], 'leftovers() must see a running fleet');
    await f.down();
    assert.deepEqual(leftovers(TEST_SIM_SCOPE.prefix, scope), []);
    await f.down();
    assert.deepEqual(leftovers(TEST_SIM_SCOPE.prefix, scope), []);
  });
});
