// Run by .ci/windows under Node for Windows (node.exe on Wine), never by the Linux suites: a real SSH connection,
// a robot command and a tunnel from Windows to a simulated robot, with no ssh-agent running (Windows' default)
// and the key in %USERPROFILE%\.ssh\id_ed25519. RD_WINDOWS_ROBOTS_ENV names a robots.env for robot sim1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, runScript } from '../support/cli.ts';
import { fakeProgram } from '../support/fake-program.ts';

const envFile = process.env.RD_WINDOWS_ROBOTS_ENV ?? '';

test('precondition: Node for Windows, a robots.env for sim1, no SSH_AUTH_SOCK', () => {
  assert.equal(process.platform, 'win32');
  assert.ok(envFile, 'RD_WINDOWS_ROBOTS_ENV names the robots.env .ci/windows wrote');
  assert.equal(process.env.SSH_AUTH_SOCK, undefined);
});

test('status: one SSH connection and a robot command; the stopped agent is skipped with a -v line and the key file logs in', () => {
  const result = runScript('status.ts', ['sim1', '--json', '-v', '--env-file', envFile], {}, 120_000);
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stderr,
    /^# \[sim1\] ssh-agent skipped: no pipe \\\\\.\\pipe\\openssh-ssh-agent: the agent is not running; trying the keys/m,
  );
  const report = JSON.parse(result.stdout) as { robots: { name: string; reachable: boolean; registry: string | null }[] };
  assert.equal(report.robots[0]?.reachable, true, result.stderr);
  assert.match(result.stderr, /^\+ \[sim1\] timeout -k 5 \d+ sh -c /m, 'a robot command ran over SSH');
});

test('doctor names the skipped agent and the key file used instead', () => {
  const result = runScript('doctor.ts', ['sim1', '--env-file', envFile], {}, 120_000);
  assert.match(result.stdout, /ssh-agent +skipped \(no pipe .*openssh-ssh-agent: the agent is not running\)/);
  assert.match(result.stdout, /ssh keys +C:\\users\\[^\\]+\\\.ssh\\id_ed25519/i);
});

test('tunnel: the robot registry answers /v2/ on the laptop end; once the tunnel process is gone, so is its port', async (t) => {
  // tunnel.ts checks the laptop's engine first; Wine has no docker.exe, so a stand-in answers like an idle engine.
  const docker = fakeProgram(
    'docker',
    `const answers = { version: '28.2.2 28.2.2 linux/amd64', info: 'stand-in|[]' };
    if (answers[args[0]]) console.log(answers[args[0]]);
    else process.exitCode = 1;`,
  );
  const tunnel = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'tunnel.ts'), 'sim1', '--env-file', envFile], {
    cwd: REPO,
    env: { ...process.env, ...docker.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => tunnel.kill());
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no tunnel within 120 s:\n${output}`)), 120_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const found = /docker push 127\.0\.0\.1:(\d+)\//.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    };
    tunnel.stdout.on('data', read);
    tunnel.stderr.on('data', read);
    tunnel.on('exit', (code) => reject(new Error(`tunnel.ts exited ${code}:\n${output}`)));
  });
  const status = await new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/v2/' }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  assert.equal(status, 200, 'GET /v2/ through the tunnel');
  tunnel.kill();
  await new Promise((resolve) => tunnel.once('exit', resolve));
  const refused = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => resolve('connected'));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED', 'no tunnel port left behind');
});
