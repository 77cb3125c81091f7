import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { laptopBuildLine, makeProject, runScript } from '../../support/cli.ts';
import { fakeProgram } from '../../support/fake-program.ts';

const ENV =
  'IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.0.2.64\nJETSON_HOST=jetson@jetson.local\nJETSON_PLATFORM=linux/arm64\n';
// Proves a dry run and a refused command never need the laptop's engine.
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', CI: '1' };

test('--dry-run prints the exact commands per host and runs nothing', () => {
  const { dir, envFile } = makeProject(ENV);
  const result = runScript('deploy.ts', ['robot1', '--dry-run', '--env-file', envFile], NO_ENGINE);
  assert.equal(result.status, 0, result.stderr);
  const out = result.stdout;
  assert.match(out, /^laptop:\n/m);
  assert.match(out, laptopBuildLine(dir));
  // PowerShell (Windows) takes a word that starts with a digit for a number: there it is quoted.
  assert.match(out, /docker image tag sha256:0{64} '?127\.0\.0\.1:\d+\/eurobot2023:navigation/);
  assert.match(out, /docker image push '?127\.0\.0\.1:\d+\/eurobot2023:navigation/);
  assert.match(out, /robot1 \(over SSH to nuc@192\.0\.2\.64\):\n {2}sh -c .*probe robot-deploy-registry eurobot2023:navigation/s);
  assert.match(out, /ensure-registry robot-deploy-registry 5000 registry:2 robot-deploy-registry/);
  assert.match(out, /pull-and-tag 127\.0\.0\.1:5000\/eurobot2023@sha256:0{64} eurobot2023:navigation eurobot2023:navigation\.prev/);
  assert.equal(existsSync(join(dir, 'known_hosts')), false, 'no SSH connection was made');
});

test('--dry-run for a fleet builds each platform once', () => {
  const { envFile } = makeProject(ENV);
  const result = runScript('deploy.ts', ['all', '--dry-run', '--env-file', envFile], NO_ENGINE);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.match(/^ {2}.*\bdocker build /gm)?.length, 2);
  assert.match(result.stdout, /--tag eurobot2023:navigation-linux-arm64/);
  assert.match(result.stdout, /jetson \(over SSH to jetson@jetson\.local\)/);
});

const refusals: [string, string[], RegExp][] = [
  ['unknown robot lists the known ones', ['robot9'], /unknown robot "robot9"\. Known robots in .*: robot1, jetson/],
  ['a robot name with shell metacharacters', ['robot1;touch /tmp/rd-pwned'], /unknown robot "robot1;touch \/tmp\/rd-pwned"/],
  ['no robot named', [], /name at least one robot/],
  [
    'unknown workspace lists the known ones',
    ['robot1', '--ws', 'vision'],
    /workspace "vision" has no Dockerfile at .*Known workspaces: navigation/,
  ],
  [
    'a workspace that is a shell injection',
    ['robot1', '--ws', '$(touch /tmp/rd-pwned)'],
    /workspace "\$\(touch \/tmp\/rd-pwned\)" is not a valid Docker tag/,
  ],
  ['a workspace with spaces', ['robot1', '--ws', 'nav igation'], /is not a valid Docker tag/],
  ['a very long workspace name', ['robot1', '--ws', 'x'.repeat(300)], /300 characters long/],
  ['an unknown option shows the help', ['robot1', '--force'], /Unknown option '--force'[\s\S]*Usage: npx tsx scripts\/deploy\.ts/],
];

for (const [name, args, pattern] of refusals) {
  test(`exit 2 before anything runs: ${name}`, () => {
    const { envFile } = makeProject(ENV);
    const result = runScript('deploy.ts', [...args, '--env-file', envFile], NO_ENGINE);
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.match(result.stderr, pattern);
    assert.equal(existsSync('/tmp/rd-pwned'), false);
  });
}

test('exit 2 with the line number for a malformed robots.env', () => {
  const { envFile } = makeProject('IMAGE=img\nROBOT1_HOST=nuc@robot\nROBOT1_PLATFORM linux/arm64\n');
  const result = runScript('deploy.ts', ['robot1', '--env-file', envFile], NO_ENGINE);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /robots\.env:3: expected KEY=VALUE, got "ROBOT1_PLATFORM linux\/arm64"/);
});

test('exit 2 when robots.env is missing, naming the file and the fix', () => {
  const result = runScript('deploy.ts', ['robot1'], { ...NO_ENGINE, ROBOTS_ENV: '/nonexistent/robots.env' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /[\\/]nonexistent[\\/]robots\.env not found\. .*--env-file FILE/);
});

test('a missing --env-file fails naming the file (Node 20 itself checks --env-file, exit 9)', () => {
  const result = runScript('deploy.ts', ['robot1', '--env-file', '/nonexistent/robots.env'], NO_ENGINE);
  assert.ok(result.status === 2 || result.status === 9, `exit ${result.status}`);
  assert.match(result.stderr, /[\\/]nonexistent[\\/]robots\.env/);
});

test('exit 1 with the cause when the laptop engine is not running; no robot is contacted', () => {
  const { dir, envFile } = makeProject(ENV);
  // The docker CLI's own answer when its engine is down (the end-to-end tests stop a real one).
  const docker = fakeProgram(
    'docker',
    'console.error(`Cannot connect to the Docker daemon at ${process.env.DOCKER_HOST}. Is the docker daemon running?`); process.exitCode = 1;',
  );
  const result = runScript('deploy.ts', ['robot1', '--env-file', envFile], { ...NO_ENGINE, ...docker.env });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /the laptop's Docker engine is not reachable .*fix DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock/);
  assert.equal(existsSync(join(dir, 'known_hosts')), false);
});

test('--help exits 0 and documents the options', () => {
  const result = runScript('deploy.ts', ['--help']);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /--dry-run/);
  assert.match(result.stdout, /Exit codes: 0 done, 1 a robot failed, 2 usage or config error, 130 Ctrl-C/);
});
