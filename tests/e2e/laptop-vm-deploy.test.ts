// Deploys from laptops whose engine runs in a VM with a loopback of its own (issue 22): a Desktop-like one
// (containerd store, buildx) and a colima-like one (classic store, CLI without buildx), each to a classic
// (20.10) and a containerd-store (26.1) robot. Whatever route the push takes, the robots must end up with
// the laptop's image, and a deploy must leave nothing in the engine or on the laptop.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type GeneratedWorkspace, makeWorkspace, type SimRobot, type VmLaptopKind } from '../../scripts/dev/sim/harness.ts';
import { FINGERPRINT_FORMAT } from '../../scripts/lib/commands/image-identity.ts';
import { REPO } from '../support/cli.ts';
import { WS as DELTA_WS, makeInstallTree } from './support/install-tree.ts';
import {
  type EngineState,
  engineState,
  inspectImage,
  KEPT_CONTAINER,
  listeningPortsOf,
  processesUsingEngine,
} from './support/laptop-engine-state.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { alive } from './support/processes.ts';
import { makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const exec = promisify(execFile);
const ref = `${TEST_IMAGE}:vm`;
const deltaRef = `${TEST_IMAGE}:${DELTA_WS}`;
const contentOn = (robot: SimRobot, image: string) => inspectImage(robot.dockerEnv(), image, FINGERPRINT_FORMAT);

function inspectContainer(env: NodeJS.ProcessEnv, name: string, format: string): string | undefined {
  try {
    return execFileSync('docker', ['container', 'inspect', '--format', format, name], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

for (const kind of ['desktop', 'colima'] as VmLaptopKind[]) {
  describe(`a ${kind}-like laptop (engine in a VM) to a docker20 robot and a docker26 robot`, simSuiteOptions(), () => {
    const fleet = useSimFleet({ names: ['r20', 'r26'], engines: { r20: 'docker20', r26: 'docker26' }, laptopEngine: kind });
    let envFile: string;
    let workspace: GeneratedWorkspace;
    let clean: { engine: EngineState; forwarded: number[] };
    const env = () => fleet().laptopEnv;
    const laptopContent = (image = ref) => inspectImage(env(), image, FINGERPRINT_FORMAT);
    const deploy = (...args: string[]) => runScriptAsync('deploy.ts', ['r20', 'r26', '--env-file', envFile, ...args], env());
    const hostAgent = () => fleet().laptopVm?.pids().hostAgent;

    /**
     * Nothing of a finished deploy is left: no container or push tag in the engine; no process of the deploy
     * (each inherits its DOCKER_HOST), so none of its tunnels listens; no port still forwarded from the VM.
     * A freed tunnel port is not checked by number: on a shared machine another program may take it.
     */
    function assertLaptopClean(output: string, pid?: number): void {
      if (pid !== undefined) assert.equal(alive(pid), false, 'the deploy process is gone');
      assert.deepEqual(engineState(env()), clean.engine, `nothing left in the engine\n${output}`);
      assert.deepEqual(processesUsingEngine(env().DOCKER_HOST ?? ''), [], 'no process of the deploy is left');
      const forwarded = listeningPortsOf(hostAgent()).filter((port) => port !== keptRegistryPort());
      assert.deepEqual(forwarded, clean.forwarded, 'no port of the deploy still forwarded to the host');
    }

    function assertRobotsHoldLaptopImage(image: string, output: string): void {
      const expected = laptopContent(image);
      assert.ok(expected, `the laptop holds ${image}`);
      for (const robot of fleet().robots)
        assert.equal(contentOn(robot, image), expected, `${robot.name} holds the laptop's ${image}\n${output}`);
    }

    /** The engine's own registry (kept, as the robot's is): published on the engine's 127.0.0.1 only. */
    const keptRegistryPort = (): number | undefined => {
      const bind = inspectContainer(env(), KEPT_CONTAINER, '{{json .HostConfig.PortBindings}}');
      return bind ? Number(/"HostPort":"(\d+)"/.exec(bind)?.[1]) : undefined;
    };

    before(() => {
      clean = { engine: engineState(env()), forwarded: listeningPortsOf(hostAgent()) };
    });

    test('first deploy to both robots at once: each holds the laptop image; nothing is left behind', async () => {
      const dir = makeProjectDir();
      workspace = await makeWorkspace(dir, { name: 'vm', baseSizeMiB: 4 });
      envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'vm');
      const result = await deploy();
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /vm: copied from the engine's registry/, 'pushed into the engine, copied on by robot-deploy');
      assertRobotsHoldLaptopImage(ref, result.output);
      assertLaptopClean(result.output);
      const bind = inspectContainer(env(), KEPT_CONTAINER, '{{json .HostConfig.PortBindings}}') ?? '';
      assert.match(bind, /^\{"5000\/tcp":\[\{"HostIp":"127\.0\.0\.1","HostPort":"\d+"\}\]\}$/, 'published on 127.0.0.1 only');
    });

    test('small change: the new image lands on both, the old one is kept as .prev', async () => {
      const old = laptopContent();
      await workspace.setTop(`${kind} 2`);
      const result = await deploy();
      assert.equal(result.code, 0, result.output);
      assert.notEqual(laptopContent(), old);
      assertRobotsHoldLaptopImage(ref, result.output);
      for (const robot of fleet().robots) assert.equal(contentOn(robot, `${ref}.prev`), old, `${robot.name} kept the old image`);
      assertLaptopClean(result.output);
    });

    test('no change: both robots are up to date and keep their images', async () => {
      const before = fleet().robots.map((robot) => contentOn(robot, `${ref}.prev`));
      const result = await deploy();
      assert.equal(result.code, 0, result.output);
      assertRobotsHoldLaptopImage(ref, result.output);
      assert.deepEqual(
        fleet().robots.map((robot) => contentOn(robot, `${ref}.prev`)),
        before,
        'nothing was re-tagged',
      );
      assertLaptopClean(result.output);
    });

    test('DELTA=on: a first deploy pushes, then two rebuilt files travel as a delta and land on both robots', async () => {
      const dir = makeProjectDir();
      const tree = makeInstallTree(dir);
      const deltaEnv = writeProjectEnv(dir, fleet(), fleet().robots, DELTA_WS);
      appendFileSync(deltaEnv, 'DELTA=on\n');
      const run = () => runScriptAsync('deploy.ts', ['r20', 'r26', '--env-file', deltaEnv], env());
      const first = await run();
      assert.equal(first.code, 0, first.output);
      assertRobotsHoldLaptopImage(deltaRef, first.output);
      const old = laptopContent(deltaRef);
      tree.rewrite(['lib07.so', 'lib31.so']);
      const second = await run();
      assert.equal(second.code, 0, second.output);
      assert.match(second.output, /colcon: delta, 1 new layer\(s\)/, 'the layer was sent as a delta');
      assert.notEqual(laptopContent(deltaRef), old);
      assertRobotsHoldLaptopImage(deltaRef, second.output);
      assertLaptopClean(second.output);
    });

    test('--watch: one save lands the new image on both robots; Ctrl-C then leaves nothing', async () => {
      const old = laptopContent();
      const watch = startScript('deploy.ts', ['r20', 'r26', '--env-file', envFile, '--watch'], env());
      try {
        const watching = () => /watching .* for changes/.test(watch.output());
        await waitFor('the first deploy and the watch', () => watching() || !alive(watch.pid), 120_000);
        assert.ok(watching(), watch.output());
        await workspace.setTop(`${kind} watch`);
        const rounds = () => [...watch.output().matchAll(/^\d\d:\d\d:\d\d (r20|r26) {2}\S/gm)].length;
        await waitFor('a redeploy line for each robot', () => rounds() >= 2 || !alive(watch.pid), 90_000);
        assert.notEqual(laptopContent(), old);
        assertRobotsHoldLaptopImage(ref, watch.output());
        watch.signal('SIGINT');
        assert.equal(await watch.exited, 130, watch.output());
        assertLaptopClean(watch.output(), watch.pid);
      } finally {
        if (alive(watch.pid)) watch.signal('SIGKILL');
      }
    });

    // Checked above by content, the robots hold the laptop's image; a classic and a containerd store give it different IDs.
    test('status says in sync on both robots', async () => {
      const status = await exec(
        process.execPath,
        ['--import', 'tsx', join(REPO, 'scripts', 'status.ts'), 'r20', 'r26', '--env-file', envFile, '--json'],
        {
          cwd: REPO,
          env: { ...process.env, XDG_CACHE_HOME: makeProjectDir(), ...env() },
          encoding: 'utf8',
        },
      );
      const report = JSON.parse(status.stdout) as { robots: { name: string; workspaces: { state: string }[] }[] };
      for (const robot of report.robots)
        assert.deepEqual(
          robot.workspaces.map((w) => w.state),
          ['in sync'],
          robot.name,
        );
    });

    test('rollback goes back to .prev and forward again on each robot', async () => {
      const current = laptopContent();
      for (const robot of fleet().robots) {
        const previous = contentOn(robot, `${ref}.prev`);
        const back = await runScriptAsync('rollback.ts', [robot.name, '--ws', 'vm', '--env-file', envFile], env());
        assert.equal(back.code, 0, back.output);
        assert.equal(contentOn(robot, ref), previous, `${robot.name} runs the previous image again`);
        const forward = await runScriptAsync('rollback.ts', [robot.name, '--ws', 'vm', '--env-file', envFile], env());
        assert.equal(forward.code, 0, forward.output);
        assert.equal(contentOn(robot, ref), current, `${robot.name} went forward again`);
      }
    });

    test('without registry:2 in the engine: the layers are read with docker save and uploaded by robot-deploy', async () => {
      const docker = (...args: string[]) =>
        execFileSync('docker', args, { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      docker('container', 'rm', '--force', KEPT_CONTAINER);
      docker('image', 'tag', 'registry:2', 'rd-e2e-kept/registry:2');
      docker('image', 'rm', 'registry:2');
      try {
        await workspace.setTop(`${kind} without a registry`);
        const result = await deploy();
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, /vm: uploaded 1 layer\(s\), [\d.]+ kB at gzip level \d/, 'only the new layer was read out and sent');
        assertRobotsHoldLaptopImage(ref, result.output);
        assertLaptopClean(result.output);
      } finally {
        docker('image', 'tag', 'rd-e2e-kept/registry:2', 'registry:2');
        docker('image', 'rm', 'rd-e2e-kept/registry:2');
      }
    });

    test('Ctrl-C mid-push: exit 130; nothing left in the engine or on the laptop; each robot on a complete image', async () => {
      const before = new Map(fleet().robots.map((robot) => [robot.name, contentOn(robot, ref)]));
      await makeWorkspace(workspace.context, { name: 'vm', baseSizeMiB: 24 });
      for (const robot of fleet().robots) await robot.setRate('20mbit');
      const interrupted = startScript('deploy.ts', ['r20', 'r26', '--env-file', envFile], env());
      try {
        await waitFor('the push to start', () => /❯ push/.test(interrupted.output()) || !alive(interrupted.pid), 120_000);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        interrupted.signal('SIGINT');
        assert.equal(await interrupted.exited, 130, interrupted.output());
        assertLaptopClean(interrupted.output(), interrupted.pid);
        const newContent = laptopContent();
        for (const robot of fleet().robots) {
          assert.ok([before.get(robot.name), newContent].includes(contentOn(robot, ref)), `${robot.name}: old or new, never half`);
        }
      } finally {
        if (alive(interrupted.pid)) interrupted.signal('SIGKILL');
        for (const robot of fleet().robots) await robot.setRate('1gbit');
      }
    });

    test('cleanup --laptop-registry removes the registry kept in the engine, and its volume', async () => {
      assert.ok(keptRegistryPort(), 'the deploys kept a registry in the engine');
      const result = await runScriptAsync('cleanup.ts', ['--laptop-registry', '--env-file', envFile], env());
      assert.equal(result.code, 0, result.output);
      assert.equal(keptRegistryPort(), undefined, 'no container');
      const volumes = execFileSync('docker', ['volume', 'ls', '--quiet'], { encoding: 'utf8', env: { ...process.env, ...env() } });
      assert.doesNotMatch(volumes, new RegExp(`^${KEPT_CONTAINER}$`, 'm'), 'no volume');
    });
  });
}
