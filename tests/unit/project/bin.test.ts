import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { laptopBuildLine, makeProject, REPO } from '../../support/cli.ts';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', CI: '1' };

/** Runs the package's bin the way `npx robot-deploy` does, from any directory. */
function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [join(REPO, 'scripts', 'robot-deploy.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { ...result, stdout: result.stdout.replace(/\r\n/g, '\n') };
}

test("robot-deploy --version, and a command's own --version", () => {
  const bin = runBin(['--version'], tmpdir());
  assert.equal(bin.stdout, `${VERSION}\n`, bin.stderr);
  assert.equal(runBin(['status', '--version'], tmpdir()).stdout, `${VERSION}\n`);
  assert.match(runBin([], tmpdir()).stdout, /^Usage: robot-deploy <command>/);
});

test('the bin refuses an unknown command with exit 2 and lists the commands', () => {
  const result = runBin(['sim-robot', 'up'], tmpdir());
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /unknown command "sim-robot"[\s\S]*Commands: deploy, build, registry, tunnel, push, cleanup, setup, doctor, status, rollback, prune/,
  );
});

test('the bin runs a script with its arguments from another directory, finding robots.env upwards', () => {
  const { dir } = makeProject('IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.0.2.64\n');
  mkdirSync(join(dir, 'navigation', 'src'), { recursive: true });
  const result = runBin(['deploy', 'robot1', '--dry-run'], join(dir, 'navigation', 'src'), NO_ENGINE);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, laptopBuildLine(dir));
});
