import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeProject, REPO, runScript } from '../../support/cli.ts';
import { fakeProgram } from '../../support/fake-program.ts';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const COMMANDS = ['deploy', 'build', 'registry', 'tunnel', 'push', 'cleanup', 'setup', 'doctor', 'status', 'rollback', 'prune'];
// 127.0.0.1:1 refuses at once: a robot that fails without any network wait.
const ENV = 'IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@127.0.0.1:1\n';
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', CI: '1' };

/** A laptop "engine" that answers only `docker version`: enough for scripts that must reach a robot. */
function versionOnlyDocker(): NodeJS.ProcessEnv {
  const docker = fakeProgram(
    'docker',
    `if (args[0] === 'version') console.log('28.2.2 28.2.2 linux/amd64');
    else { console.error('not here: ' + args.join(' ')); process.exitCode = 1; }`,
  );
  return { ...docker.env, CI: '1' };
}

test("--version prints package.json's version for every command", () => {
  for (const command of COMMANDS) {
    const result = runScript(`${command}.ts`, ['--version'], NO_ENGINE);
    assert.equal(result.status, 0, `${command}: ${result.stderr}`);
    assert.equal(result.stdout, `${VERSION}\n`, command);
  }
});

test('-q keeps what was asked for (the dry-run listing) and drops progress and summary; -q with -v is refused', () => {
  const { envFile } = makeProject(ENV);
  const loud = runScript('deploy.ts', ['robot1', '--dry-run', '--env-file', envFile], NO_ENGINE);
  assert.match(loud.stdout, /Summary \(dry run/);
  const quiet = runScript('deploy.ts', ['robot1', '--dry-run', '-q', '--env-file', envFile], NO_ENGINE);
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.match(quiet.stdout, /Dry run: nothing was run/);
  assert.doesNotMatch(quiet.stdout, /Summary|\[STARTED\]|\[COMPLETED\]|build eurobot2023/);
  const both = runScript('deploy.ts', ['robot1', '-q', '-v', '--env-file', envFile], NO_ENGINE);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /-q\/--quiet and -v\/--verbose contradict/);
});

test('-v shows each laptop command, quoted as a shell takes it, on stderr before it runs', () => {
  const { envFile } = makeProject(ENV);
  const result = runScript('registry.ts', ['robot1', '-v', '--env-file', envFile], versionOnlyDocker());
  assert.match(result.stderr, /^\+ \[laptop\] docker version --format '\{\{\.Client\.Version\}\} /m);
  const silent = runScript('registry.ts', ['robot1', '--env-file', envFile], versionOnlyDocker());
  assert.doesNotMatch(silent.stderr, /^\+ \[laptop\]/m);
});

test('output to a file or pipe has no colour unless FORCE_COLOR asks, even where colorette would colour it (Windows, CI)', () => {
  const { envFile } = makeProject(ENV);
  // colorette colours every non-terminal on Windows, and in CI when GITHUB_ACTIONS is set.
  const piped = runScript('deploy.ts', ['robot1', '--dry-run', '--env-file', envFile], { ...NO_ENGINE, GITHUB_ACTIONS: 'true' });
  assert.equal(piped.status, 0, piped.stderr);
  assert.match(piped.stdout, /Dry run: nothing was run/);
  assert.doesNotMatch(piped.stdout + piped.stderr, /\x1b\[/);
});

test('--no-color and NO_COLOR take the colour out of the progress lines', () => {
  const { envFile } = makeProject(ENV);
  const args = ['robot1', '--dry-run', '--env-file', envFile];
  const coloured = runScript('deploy.ts', args, { ...NO_ENGINE, FORCE_COLOR: '1' });
  assert.match(coloured.stdout, /\x1b\[/, 'precondition: FORCE_COLOR colours the progress lines');
  for (const [name, extra, env] of [
    ['--no-color', ['--no-color'], {}],
    ['NO_COLOR', [], { NO_COLOR: '1' }],
  ] as const) {
    const plain = runScript('deploy.ts', [...args, ...extra], { ...NO_ENGINE, FORCE_COLOR: '1', ...env });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout + plain.stderr, /\x1b\[/, name);
  }
});

test('failures go to stderr and nothing to stdout: registry, prune, rollback, status', () => {
  const { envFile } = makeProject(ENV);
  for (const [script, pattern] of [
    ['registry.ts', /^robot1: failed: .*connection refused/m],
    ['prune.ts', /^robot1: failed: .*connection refused/m],
    ['rollback.ts', /^robot1: robot1 \(nuc@127\.0\.0\.1:1\): connection refused/m],
    ['status.ts', /^robot1: unreachable — .*connection refused/m],
  ] as const) {
    const result = runScript(script, ['robot1', '-q', '--env-file', envFile], versionOnlyDocker());
    assert.equal(result.status, 1, `${script}: ${result.stderr}`);
    assert.match(result.stderr, pattern, script);
    assert.equal(result.stdout, '', `${script} printed on stdout`);
  }
});

test('status --json: the documented schema, an unreachable robot as reachable: false with its error', () => {
  const { envFile } = makeProject(ENV);
  const result = runScript('status.ts', ['--json', '--env-file', envFile], versionOnlyDocker());
  assert.equal(result.status, 1);
  assert.deepEqual(JSON.parse(result.stdout), {
    schema: 'robot-deploy.status',
    version: 1,
    envFile,
    image: 'eurobot2023',
    robots: [
      {
        name: 'robot1',
        host: 'nuc@127.0.0.1:1',
        reachable: false,
        error: JSON.parse(result.stdout).robots[0].error,
        registry: null,
        imagesSize: null,
        registrySize: null,
        workspaces: [],
      },
    ],
  });
  assert.match(JSON.parse(result.stdout).robots[0].error, /connection refused/);
  assert.match(result.stderr, /^robot1: unreachable/m);
});

test('doctor --json: every check with its verdict and fix; ok false when one fails', () => {
  const { envFile } = makeProject(ENV);
  const result = runScript('doctor.ts', ['--json', '--env-file', envFile], versionOnlyDocker());
  assert.equal(result.status, 1);
  const report = JSON.parse(result.stdout) as {
    schema: string;
    version: number;
    ok: boolean;
    failed: number;
    checks: { scope: string; check: string; verdict: string; detail: string; fix: string | null }[];
  };
  assert.equal(report.schema, 'robot-deploy.doctor');
  assert.equal(report.version, 1);
  assert.equal(report.ok, false);
  assert.equal(report.failed, report.checks.filter((c) => c.verdict === 'fail').length);
  assert.ok(report.checks.some((c) => c.scope === 'laptop' && c.check === 'robots.env' && c.verdict === 'ok'));
  const robot = report.checks.find((c) => c.scope === 'robot1' && c.verdict === 'fail');
  assert.ok(robot && typeof robot.fix === 'string' && robot.fix.length > 0, result.stdout);
  for (const check of report.checks) assert.deepEqual(Object.keys(check), ['scope', 'check', 'verdict', 'detail', 'fix']);
});
