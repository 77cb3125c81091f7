// The engines users run, each laptop to each robot: Debian 12's Docker 20.10 (classic image store,
// BuildKit from CLI 20.10's DOCKER_BUILDKIT=1) and Debian 13's Docker 26.1 (containerd image store,
// buildx). One fleet per laptop flavour, with a robot of each flavour: four combinations.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ARM64_BUSYBOX_IMAGE,
  type EngineFlavour,
  type GeneratedWorkspace,
  importArm64Base,
  makeWorkspace,
  type SimFleet,
  type SimRobot,
} from '../../scripts/dev/sim/harness.ts';
import { FINGERPRINT_FORMAT } from '../../scripts/lib/commands/image-identity.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { alive, listening } from './support/processes.ts';
import { makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const ref = `${TEST_IMAGE}:eng`;

/** Debian 12's own CLI (20.10) for the docker20 laptop: this machine's /usr/local/bin/docker is a CLI 28 without buildx. */
function laptopEnv(fleet: SimFleet): NodeJS.ProcessEnv {
  return fleet.laptopEngine === 'docker26' ? fleet.laptopEnv : { PATH: `/usr/bin:${process.env.PATH ?? ''}` };
}

function inspect(env: NodeJS.ProcessEnv, image: string, format: string): string | undefined {
  try {
    return execFileSync('docker', ['image', 'inspect', '--format', format, image], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** What the image is, on any store: equal fingerprints are the same image. */
const contentOn = (robot: SimRobot, image: string) => inspect(robot.dockerEnv(), image, FINGERPRINT_FORMAT);

/** The fingerprint of every image the robot holds, tagged or not. */
function everyContentOn(robot: SimRobot): string[] {
  const ids = execFileSync('docker', ['image', 'ls', '-q', '--no-trunc'], { encoding: 'utf8', env: robot.dockerEnv() })
    .split('\n')
    .filter(Boolean);
  return [...new Set(ids)].map((id) => inspect(robot.dockerEnv(), id, FINGERPRINT_FORMAT) ?? '');
}

for (const laptop of ['docker20', 'docker26'] as EngineFlavour[]) {
  describe(`${laptop} laptop to a docker20 robot and a docker26 robot`, simSuiteOptions(), () => {
    const fleet = useSimFleet({
      names: ['r20', 'r26'],
      engines: { r20: 'docker20', r26: 'docker26' },
      laptopEngine: laptop,
    });
    let envFile: string;
    let workspace: GeneratedWorkspace;
    const env = () => laptopEnv(fleet());
    const run = (script: string, ...args: string[]) => runScriptAsync(script, [...args, '--env-file', envFile], env());
    const laptopContent = () => inspect(env(), ref, FINGERPRINT_FORMAT);

    test('first deploy: both robots hold the laptop image, built with BuildKit', async () => {
      const dir = makeProjectDir();
      workspace = await makeWorkspace(dir, { name: 'eng', baseSizeMiB: 4 });
      envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'eng');
      const result = await run('deploy.ts', 'r20', 'r26');
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, laptop === 'docker26' ? /\(docker buildx build\)/ : /\(docker build with BuildKit\)/);
      for (const robot of fleet().robots) {
        assert.match(result.output, new RegExp(`${robot.name}\\s+deployed\\s+${ref}`));
        assert.equal(contentOn(robot, ref), laptopContent(), `${robot.name} holds the laptop's image`);
      }
      if (laptop === 'docker20')
        assert.equal(
          inspect(fleet().robot('r20').dockerEnv(), ref, '{{.Id}}'),
          inspect(env(), ref, '{{.Id}}'),
          'classic to classic: same ID',
        );
    });

    test('one-layer redeploy: the old image becomes .prev on both stores', async () => {
      const old = laptopContent();
      await workspace.setTop(`engines ${laptop} 2`);
      const result = await run('deploy.ts', 'r20', 'r26');
      assert.equal(result.code, 0, result.output);
      assert.notEqual(laptopContent(), old);
      for (const robot of fleet().robots) {
        assert.equal(contentOn(robot, ref), laptopContent(), `${robot.name} has the new image`);
        assert.equal(contentOn(robot, `${ref}.prev`), old, `${robot.name} kept the old one for rollback`);
      }
    });

    test('no-change redeploy is detected on both stores', async () => {
      const result = await run('deploy.ts', 'r20', 'r26');
      assert.equal(result.code, 0, result.output);
      for (const robot of fleet().robots) assert.match(result.output, new RegExp(`${robot.name}\\s+up to date\\s+${ref}`));
    });

    test('status, rollback and prune work on both stores', async () => {
      const current = laptopContent();
      const status = await run('status.ts', 'r20', 'r26');
      assert.equal(status.code, 0, status.output);
      for (const robot of fleet().robots) assert.match(status.output, new RegExp(`^${robot.name}: registry running;`, 'm'));
      for (const robot of fleet().robots) {
        const previous = contentOn(robot, `${ref}.prev`);
        const rolled = await run('rollback.ts', robot.name, '--ws', 'eng');
        assert.equal(rolled.code, 0, rolled.output);
        assert.equal(contentOn(robot, ref), previous, `${robot.name} runs the previous image again`);
        assert.equal(contentOn(robot, `${ref}.prev`), current);
        assert.equal((await run('rollback.ts', robot.name, '--ws', 'eng')).code, 0);
        assert.equal(contentOn(robot, ref), current, `${robot.name} went forward again`);
      }
      const oldest = contentOn(fleet().robot('r20'), `${ref}.prev`);
      await workspace.setTop(`engines ${laptop} 3`);
      assert.equal((await run('deploy.ts', 'r20', 'r26')).code, 0);
      const newest = laptopContent();
      for (const robot of fleet().robots) assert.ok(everyContentOn(robot).includes(oldest!), `${robot.name} still holds the oldest deploy`);
      const pruned = await run('prune.ts', 'r20', 'r26');
      assert.equal(pruned.code, 0, pruned.output);
      for (const robot of fleet().robots) {
        assert.equal(contentOn(robot, ref), newest, `prune kept ${robot.name}'s current image`);
        assert.equal(contentOn(robot, `${ref}.prev`), current, `prune kept ${robot.name}'s rollback image`);
        assert.ok(!everyContentOn(robot).includes(oldest!), `prune removed the oldest deploy from ${robot.name}`);
      }
    });

    if (laptop === 'docker26') {
      test('an arm64 image built on the amd64 laptop runs on both robots and prints aarch64', async () => {
        const dir = makeProjectDir();
        await importArm64Base(fleet().stateDir, { ...process.env, ...env() });
        mkdirSync(join(dir, 'arm'));
        writeFileSync(join(dir, 'arm', 'Dockerfile'), `FROM ${ARM64_BUSYBOX_IMAGE}\nRUN uname -m > /built-on.txt\nCMD ["uname", "-m"]\n`);
        // The simulated robots are amd64 computers whose kernel runs arm64 programs through qemu, as a
        // Docker Desktop does: the deploy says so instead of refusing, and a robot without qemu still refuses.
        const armEnv = writeProjectEnv(dir, fleet(), fleet().robots, 'arm', ['R20_PLATFORM=linux/arm64', 'R26_PLATFORM=linux/arm64']);
        const result = await runScriptAsync('deploy.ts', ['r20', 'r26', '--env-file', armEnv], env());
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, /build rd-e2e:arm for linux\/arm64/);
        for (const robot of fleet().robots) {
          assert.match(result.output, new RegExp(`${robot.name}'s engine is linux/amd64: its linux/arm64 images run under qemu emulation`));
          assert.equal(inspect(robot.dockerEnv(), `${TEST_IMAGE}:arm`, '{{.Os}}/{{.Architecture}}'), 'linux/arm64');
          const ran = execFileSync('docker', ['run', '--rm', '--platform', 'linux/arm64', `${TEST_IMAGE}:arm`], {
            encoding: 'utf8',
            env: robot.dockerEnv(),
          });
          assert.equal(ran.trim(), 'aarch64', `a container on ${robot.name} runs the arm64 image`);
          assert.equal(
            execFileSync('docker', ['run', '--rm', '--platform', 'linux/arm64', `${TEST_IMAGE}:arm`, 'cat', '/built-on.txt'], {
              encoding: 'utf8',
              env: robot.dockerEnv(),
            }).trim(),
            'aarch64',
            'built for arm64 on the amd64 laptop',
          );
        }
      });
    }

    test('Ctrl-C during the push: exit 130, no tunnel, no process, each robot on a complete image', async () => {
      const before = new Map(fleet().robots.map((robot) => [robot.name, contentOn(robot, ref)]));
      await makeWorkspace(workspace.context, { name: 'eng', baseSizeMiB: 24 });
      for (const robot of fleet().robots) await robot.setRate('20mbit');
      try {
        const deploy = startScript('deploy.ts', ['r20', 'r26', '--env-file', envFile], env());
        await waitFor('the push to start', () => /❯ push/.test(deploy.output()), 120_000);
        const ports = [...deploy.output().matchAll(/tunnel: 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        deploy.signal('SIGINT');
        assert.equal(await deploy.exited, 130, deploy.output());
        for (const port of ports) assert.equal(listening(port), false, `no listener left on ${port}`);
        assert.equal(alive(deploy.pid), false);
        const newContent = laptopContent();
        for (const robot of fleet().robots)
          assert.ok([before.get(robot.name), newContent].includes(contentOn(robot, ref)), `${robot.name}: old or new, never half`);
      } finally {
        for (const robot of fleet().robots) await robot.setRate('1gbit');
      }
    });
  });
}
