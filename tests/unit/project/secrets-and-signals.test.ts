import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeProject, REPO, runScript } from '../../support/cli.ts';
import { fakeProgram } from '../../support/fake-program.ts';
import { alive } from '../../support/processes.ts';
import { posixOnly } from '../../support/skip.ts';

const ENV = 'IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.0.2.64\n';

/** A `docker` that records its environment and pid, then answers slowly (or never) and fails. */
function recordingDocker(sleepSeconds: number): { env: NodeJS.ProcessEnv; envDump: string; pidFile: string } {
  const docker = fakeProgram(
    'docker',
    `fs.writeFileSync(process.env.FAKE_ENV_DUMP, JSON.stringify(process.env));
    fs.writeFileSync(process.env.FAKE_PID_FILE, String(process.pid));
    setTimeout(() => process.exit(1), ${sleepSeconds * 1000});`,
  );
  const envDump = join(docker.dir, 'env.json');
  const pidFile = join(docker.dir, 'pid');
  return { env: { ...docker.env, FAKE_ENV_DUMP: envDump, FAKE_PID_FILE: pidFile }, envDump, pidFile };
}

test('RD_SSH_PASSWORD is taken out of the environment before any docker child starts', () => {
  const { envFile } = makeProject(ENV);
  const docker = recordingDocker(0);
  const result = runScript('build.ts', ['--env-file', envFile], { ...docker.env, RD_SSH_PASSWORD: 'hunter2-secret' });
  assert.notEqual(result.status, 0);
  assert.ok(existsSync(docker.envDump), `docker ran: ${result.stderr}`);
  assert.doesNotMatch(readFileSync(docker.envDump, 'utf8'), /hunter2-secret|RD_SSH_PASSWORD/);
});

test('SIGHUP (the terminal closed) runs the teardown: exit 129 and no docker child left', {
  skip: posixOnly('Windows cannot send SIGHUP to another process (runner/local-runner.test.ts covers the abort there)'),
}, async () => {
  const { envFile } = makeProject(ENV);
  const docker = recordingDocker(30);
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'build.ts'), '--env-file', envFile], {
    cwd: REPO,
    env: { ...process.env, ...docker.env, CI: '1' },
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
  assert.equal(alive(dockerPid), false, 'the docker child is gone');
});

test("a real build that names no image fails; it never reports the dry run's all-zero digest", () => {
  const { envFile } = makeProject(ENV);
  // A docker whose build "succeeds" without writing --iidfile; version answers like CLI 20.10.
  const docker = fakeProgram(
    'docker',
    `const answers = { version: '20.10.24 20.10.24 linux/amd64', info: 'Debian|[]' };
    if (args[0] === 'buildx') process.exit(1);
    if (answers[args[0]]) console.log(answers[args[0]]);`,
  );
  const result = runScript('build.ts', ['--env-file', envFile], docker.env);
  assert.notEqual(result.status, 0, result.stdout);
  assert.match(`${result.stdout}${result.stderr}`, /wrote no image ID to --iidfile/);
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, /0{12}/);
});
