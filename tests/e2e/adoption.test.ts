// robot-deploy as another project's dependency: packed, installed without dev dependencies, run by
// its bin from that project's own directory tree against a simulated robot.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { REPO } from '../support/cli.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { imageIdOn, makeProjectDir, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** `npx robot-deploy …` in the adopting project, as its team would type it (no TTY, no stdin). */
function npx(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('npx', ['--no', '--', 'robot-deploy', ...args], {
    cwd,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? 128, stdout, stderr })));
}

describe('adopted by another project: npm pack, install --omit=dev, npx robot-deploy', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1'] });

  test('the installed bin prints its version and deploys from a subdirectory of the other project', async () => {
    const packs = makeProjectDir();
    execFileSync('npm', ['pack', '--silent', '--pack-destination', packs], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tarball = join(packs, readdirSync(packs).find((name) => name.endsWith('.tgz'))!);
    const team = makeProjectDir();
    writeFileSync(join(team, 'package.json'), `${JSON.stringify({ name: 'team-robots', private: true })}\n`);
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: team,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(existsSync(join(team, 'node_modules', 'typescript')), false, 'no dev dependency was installed');

    const version = await npx(team, ['--version']);
    assert.equal(version.stdout, `${VERSION}\n`, version.stderr);

    await makeWorkspace(team, { name: 'nav', baseSizeMiB: 2 });
    writeProjectEnv(team, fleet(), fleet().robots, 'nav');
    const launch = join(team, 'nav', 'launch');
    mkdirSync(launch, { recursive: true });
    const result = await npx(launch, ['deploy', 'sim1', '-v']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /sim1\s+deployed\s+rd-e2e:nav/);
    const ref = `${TEST_IMAGE}:nav`;
    assert.equal(imageIdOn(fleet().robot('sim1'), ref), imageIdOn(undefined, ref), 'the robot holds the laptop image');
    // -v: the exact commands, on the laptop and on the robot, on stderr.
    assert.match(result.stderr, /^\+ \[laptop\] docker (image )?push 127\.0\.0\.1:\d+\/rd-e2e:nav/m);
    assert.match(
      result.stderr,
      /^\+ \[sim1\] timeout -k 5 \d+ [\s\S]*? pull-and-tag 127\.0\.0\.1:5000\/rd-e2e@sha256:[0-9a-f]{64} rd-e2e:nav /m,
    );
  });
});
