// The delta transfer against real simulated robots: a rebuilt layer reaches a classic (20.10) and a
// containerd-store (26) robot as the same image, sending little more than the changed files; the
// fallback to docker push when the delta cannot help or is turned off.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineFlavour, SimRobot } from '../../scripts/dev/sim/harness.ts';
import { robotFiles } from '../../scripts/dev/sim/state.ts';
import { FINGERPRINT_FORMAT } from '../../scripts/lib/commands/image-identity.ts';
import { makeInstallTree, ref, sentBytes, WS } from './support/install-tree.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { alive } from './support/processes.ts';
import {
  blobUploads,
  dockerOn,
  imageIdOn,
  laptopDocker,
  makeProjectDir,
  runScriptAsync,
  startScript,
  waitFor,
  writeProjectEnv,
} from './support/project.ts';
import { TEST_SIM_SCOPE, useSimFleet } from './support/sim-fleet.ts';

const runOn = (robot: SimRobot | undefined) => dockerOn(robot, ['run', '--rm', ref]);

// The classic laptop builds with CLI 28's legacy builder; the Debian 13 one with buildx on the containerd store.
for (const laptop of ['docker20', 'docker26'] as EngineFlavour[]) {
  describe(`delta transfer of a rebuilt layer from a ${laptop} laptop`, simSuiteOptions(), () => {
    const fleet = useSimFleet({
      names: ['r20', 'r26'],
      engines: { r20: 'docker20', r26: 'docker26' },
      laptopEngine: laptop,
    });
    let envFile: string;
    let tree: ReturnType<typeof makeInstallTree>;
    const env = () => (laptop === 'docker26' ? fleet().laptopEnv : {});
    const deploy = (...args: string[]) => runScriptAsync('deploy.ts', ['r20', 'r26', '--env-file', envFile, ...args], env());
    const laptopRun = () => laptopDocker(env(), ['run', '--rm', ref]);
    const laptopContent = () => laptopDocker(env(), ['image', 'inspect', '--format', FINGERPRINT_FORMAT, ref]);

    test('first deploy: no earlier image, so docker push, and it says so', async () => {
      const dir = makeProjectDir();
      tree = makeInstallTree(dir);
      envFile = writeProjectEnv(dir, fleet(), fleet().robots, WS);
      appendFileSync(envFile, 'DELTA=on\n');
      const result = await deploy();
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /docker push \(no delta: first deploy of this workspace to the robot\)/);
      for (const robot of fleet().robots) assert.equal(runOn(robot), laptopRun());
    });

    test('two rebuilt files: the layer is rebuilt on both robots, bit-identical, sending about the changed bytes', async () => {
      const old = laptopContent();
      const oldId = imageIdOn(fleet().robot('r20'), ref);
      const floor = tree.rewrite(['lib07.so', 'lib31.so']);
      const uploads = fleet().robots.map((robot) => blobUploads(robot));
      const result = await deploy();
      assert.equal(result.code, 0, result.output);
      assert.notEqual(laptopContent(), old);
      assert.match(result.output, /colcon: delta, 1 new layer\(s\) of 8\.\d MB rebuilt on the robot/);
      if (laptop === 'docker20')
        assert.equal(
          imageIdOn(fleet().robot('r20'), ref),
          laptopDocker(env(), ['image', 'inspect', '--format', '{{.Id}}', ref]),
          'classic to classic: the same image ID',
        );
      assert.equal(imageIdOn(fleet().robot('r20'), `${ref}.prev`), oldId, 'the replaced image is kept for rollback');
      for (const robot of fleet().robots) {
        assert.equal(
          dockerOn(robot, ['image', 'inspect', '--format', FINGERPRINT_FORMAT, ref]),
          laptopContent(),
          `${robot.name} holds the laptop's image`,
        );
        assert.equal(runOn(robot), laptopRun(), `${robot.name} runs the same bytes`);
      }
      // Only the config travels by HTTP upload; the layer is written into the registry's storage.
      assert.deepEqual(
        fleet().robots.map((robot, i) => blobUploads(robot) - uploads[i]),
        [1, 1],
      );
      const sent = sentBytes(result.output);
      assert.equal(sent.length, 2);
      console.log(
        `# ${laptop} laptop, delta: ${sent.join(' and ')} bytes sent, floor ${floor} bytes (${sent.map((s) => (s / floor).toFixed(2)).join('x, ')}x)`,
      );
      for (const bytes of sent) assert.ok(bytes < 3 * floor, `sent ${bytes}, floor ${floor}`);
    });

    test('--no-delta, and DELTA=off in robots.env: docker push, and it says so', async () => {
      tree.rewrite(['lib12.so']);
      const off = await deploy('--no-delta');
      assert.equal(off.code, 0, off.output);
      assert.match(off.output, /docker push \(delta off by --no-delta\)/);
      tree.rewrite(['lib13.so']);
      writeFileSync(envFile, `${readFileSync(envFile, 'utf8')}R26_DELTA=off\n`);
      const mixed = await deploy();
      assert.equal(mixed.code, 0, mixed.output);
      assert.match(mixed.output, /colcon: delta, 1 new layer/);
      assert.match(mixed.output, /docker push \(delta off by DELTA=off or R26_DELTA=off in robots\.env\)/);
      for (const robot of fleet().robots) assert.equal(runOn(robot), laptopRun());
    });
  });
}

describe('delta transfer over an 8 Mbit/s link: a cut and a Ctrl-C', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['slow'], rate: '8mbit' });
  let envFile: string;
  let tree: ReturnType<typeof makeInstallTree>;
  // 60 of 80 files rebuilt: 12 MB of new bytes, three literal batches, 12 s at 8 Mbit/s.
  const rebuild = () => tree.rewrite(Array.from({ length: 60 }, (_, i) => `lib${String(i).padStart(2, '0')}.so`));
  const start = () => startScript('deploy.ts', ['slow', '--env-file', envFile]);
  /** A literal batch the robot holds complete (its name has no .tmp). */
  const batchArrived = () => {
    const root = join(robotFiles(TEST_SIM_SCOPE, 'slow').home, '.cache/robot-deploy/delta');
    const works = existsSync(root) ? readdirSync(root) : [];
    return works.some((work) => readdirSync(join(root, work)).some((name) => /^batch\.\d+\.[0-9a-f]{64}$/.test(name)));
  };
  const sendingStarted = () => waitFor('a literal batch on the robot', batchArrived, 120_000);

  test('first deploy', async () => {
    const dir = makeProjectDir();
    tree = makeInstallTree(dir, 80);
    envFile = writeProjectEnv(dir, fleet(), fleet().robots, WS);
    appendFileSync(envFile, 'DELTA=on\n');
    const result = await runScriptAsync('deploy.ts', ['slow', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
  });

  test('link cut for 20 s while literals travel: reconnects, keeps the batches that arrived, lands the same image', async () => {
    const floor = rebuild();
    const robot = fleet().robot('slow');
    const run = start();
    await sendingStarted();
    await robot.cutLink();
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    await robot.restoreLink();
    const code = await run.exited;
    assert.equal(code, 0, run.output());
    assert.match(run.output(), /link to slow lost during the delta of colcon/);
    assert.match(run.output(), /slow kept [12] of 3 literal batches from an earlier attempt/);
    assert.match(run.output(), /colcon: delta, 1 new layer/);
    assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref));
    assert.equal(runOn(robot), runOn(undefined));
    const [sent] = sentBytes(run.output());
    console.log(`# delta through a cut: ${sent} bytes sent, floor ${floor} bytes`);
    assert.ok(sent < 1.5 * floor, `sent ${sent}, floor ${floor}: batches that arrived were not sent again`);
  });

  test('Ctrl-C while literals travel: exit 130, robot unchanged, nothing refers to an unverified layer; the next deploy resumes', async () => {
    const robot = fleet().robot('slow');
    const before = imageIdOn(robot, ref);
    const output = runOn(robot);
    rebuild();
    const run = start();
    await sendingStarted();
    run.signal('SIGINT');
    assert.equal(await run.exited, 130, run.output());
    assert.equal(alive(run.pid), false);
    assert.equal(imageIdOn(robot, ref), before, 'IMAGE:WS did not move');
    assert.equal(runOn(robot), output);
    const again = await runScriptAsync('deploy.ts', ['slow', '--env-file', envFile]);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /slow kept [12] of 3 literal batches from an earlier attempt/);
    assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref));
    assert.equal(runOn(robot), runOn(undefined));
  });
});
