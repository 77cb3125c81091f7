import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeProject, REPO, runScript, tempDir } from '../support/cli.ts';

const ENV = 'IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.168.1.64\n';

/** A `docker` that records its environment, then answers slowly or fails. */
function recordingDocker(sleepSeconds: number): { bin: string; envDump: string; pidFile: string } {
  const dir = tempDir('rd-env-docker-');
  mkdirSync(join(dir, 'bin'));
  const envDump = join(dir, 'env');
  const pidFile = join(dir, 'pid');
  writeFileSync(join(dir, 'bin', 'docker'), `#!/bin/sh\nenv > ${envDump}\necho $$ > ${pidFile}\nsleep ${sleepSeconds}\nexit 1\n`);
  chmodSync(join(dir, 'bin', 'docker'), 0o755);
  return { bin: join(dir, 'bin'), envDump, pidFile };
}

test('RD_SSH_PASSWORD is taken out of the environment before any docker child starts', () => {
  const { envFile } = makeProject(ENV);
  const docker = recordingDocker(0);
  const result = runScript('build.ts', ['--env-file', envFile], {
    PATH: `${docker.bin}:${process.env.PATH}`,
    RD_SSH_PASSWORD: 'hunter2-secret',
  });
  assert.notEqual(result.status, 0);
  assert.ok(existsSync(docker.envDump), `docker ran: ${result.stderr}`);
  assert.doesNotMatch(readFileSync(docker.envDump, 'utf8'), /hunter2-secret|RD_SSH_PASSWORD/);
});

test('SIGHUP (the terminal closed) runs the teardown: exit 129 and no docker child left', async () => {
  const { envFile } = makeProject(ENV);
  const docker = recordingDocker(30);
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'build.ts'), '--env-file', envFile], {
    cwd: REPO,
    env: { ...process.env, PATH: `${docker.bin}:${process.env.PATH}`, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  while (!existsSync(docker.pidFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const dockerPid = Number(readFileSync(docker.pidFile, 'utf8'));
  child.kill('SIGHUP');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  assert.equal(code, 129, output);
  assert.match(output, /Hung up \(the terminal closed\): closed \d+ open resource\(s\)/);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const state = existsSync(`/proc/${dockerPid}/stat`) ? readFileSync(`/proc/${dockerPid}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
  assert.ok(state === 'gone' || state === 'Z', `the docker child is gone (state ${state})`);
});

test("a real build that names no image fails; it never reports the dry run's all-zero digest", () => {
  const { envFile } = makeProject(ENV);
  const dir = tempDir('rd-silent-docker-');
  mkdirSync(join(dir, 'bin'));
  // A docker whose build "succeeds" without writing --iidfile; version answers like CLI 20.10.
  writeFileSync(
    join(dir, 'bin', 'docker'),
    `#!/bin/sh\ncase "$1" in version) echo "20.10.24 20.10.24 linux/amd64"; exit 0 ;; buildx) exit 1 ;; info) echo "Debian|[]"; exit 0 ;; esac\nexit 0\n`,
  );
  chmodSync(join(dir, 'bin', 'docker'), 0o755);
  const result = runScript('build.ts', ['--env-file', envFile], { PATH: `${join(dir, 'bin')}:${process.env.PATH}` });
  assert.notEqual(result.status, 0, result.stdout);
  assert.match(`${result.stdout}${result.stderr}`, /wrote no image ID to --iidfile/);
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, /0{12}/);
});
