// The post's step 2: registry:2 on the robot's loopback, started only when the probe did not see it running
// there, and every way ensure-registry can answer. Recording runners answer as a test's robot and laptop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe } from '../../../../scripts/lib/commands/robot-docker.ts';
import { ROBOT_LOCK_WAIT_SECONDS } from '../../../../scripts/lib/commands/robot-lock-script.ts';
import { registry, stopRegistry } from '../../../../scripts/lib/deploy/steps/registry.ts';
import { RecordingRunner, type Responder } from '../../../../scripts/lib/runner/recording-runner.ts';
import type { CommandResult } from '../../../../scripts/lib/runner/runner.ts';
import { OptionsRunner, ROBOT_ENV, type StepSetup, scriptAnswers, stepHarness } from '../../../support/deploy-harness.ts';

const ENSURE = (port: number) => ['ensure-registry', 'robot-deploy-registry', String(port), 'registry:2', 'robot-deploy-registry'];

async function ensure(env: string, answer: Partial<CommandResult>, options: StepSetup & { probe?: string; laptop?: Responder } = {}) {
  const harness = await stepHarness(env, { robot: () => scriptAnswers({ 'ensure-registry': answer }), ...options });
  if (options.probe) harness.run.remote = parseProbe(options.probe);
  const shown: string[] = [];
  const note = () => registry.run(harness.ctx, harness.run, (text) => shown.push(text));
  return { ...harness, note, shown };
}

test("a registry the probe saw running on the robot's loopback is used as it is: nothing runs", async () => {
  const { run, log, note } = await ensure(ROBOT_ENV, {}, { probe: 'engine linux/amd64 27.0.0\nstatus=running\nbind=127.0.0.1:5000\n' });
  assert.equal(await note(), "registry running on robot1's 127.0.0.1:5000");
  assert.equal(run.registryPort, 5000);
  assert.deepEqual(log, []);
});

test('no registry running: ensure-registry starts one on the configured port, and the run takes the port it reports', async () => {
  const env = `${ROBOT_ENV}ROBOT1_REGISTRY_PORT=5050\n`;
  const { run, on, note } = await ensure(
    env,
    { stdout: 'status=created\nbind=127.0.0.1:5050\n' },
    { probe: 'engine linux/amd64 27.0.0\nstatus=exited\n' },
  );
  assert.equal(await note(), "registry created on robot1's 127.0.0.1:5050");
  assert.deepEqual(
    on('robot1').map((argv) => argv.slice(3)),
    [ENSURE(5050)],
  );
  assert.deepEqual(on('laptop'), []);
  assert.equal(run.registryPort, 5050);
});

test("a teammate's registry on another port: the run goes to the port the robot reports, not the configured one", async () => {
  const { run, note } = await ensure(ROBOT_ENV, { stdout: 'status=running\nbind=127.0.0.1:5007\n' });
  await note();
  assert.equal(run.registryPort, 5007);
});

test("ensure waits for a teammate holding the registry's lock: its deadline is that wait plus ROBOT_TIMEOUT_SECONDS", async () => {
  const { ctx, run, log, note } = await ensure(`${ROBOT_ENV}ROBOT_TIMEOUT_SECONDS=20\n`, {});
  const robot = new OptionsRunner(
    new RecordingRunner('robot1', log, scriptAnswers({ 'ensure-registry': { stdout: 'status=started\nbind=127.0.0.1:5000\n' } })),
  );
  run.link.connected(robot);
  assert.equal(ctx.config.link.robotTimeoutSeconds, 20);
  await note();
  assert.deepEqual(
    robot.calls.map((call) => call.options?.timeoutMs),
    [(ROBOT_LOCK_WAIT_SECONDS + 20) * 1000],
  );
});

test('a registry published with -p by an older robot-deploy goes through ensure, which recreates it; a notice says why', async () => {
  const { ctx, on, note } = await ensure(
    ROBOT_ENV,
    { stdout: 'status=recreated\nbind=127.0.0.1:5000\n' },
    {
      probe: 'engine linux/amd64 27.0.0\nstatus=running\nbind=127.0.0.1:5000\nnetwork=published\n',
    },
  );
  await note();
  assert.deepEqual(
    on('robot1').map((argv) => argv[3]),
    ['ensure-registry'],
  );
  assert.equal(ctx.notices.length, 1);
  assert.match(ctx.notices[0], /^robot1: the registry was published with -p, .*moby\/moby#45610.*127\.0\.0\.1:5000, layers kept$/);
});

test('a registry also published beyond loopback: a notice that the LAN can reach it', async () => {
  const { ctx, run, note } = await ensure(ROBOT_ENV, { stdout: 'status=running\nbind=0.0.0.0:5000\nbind=127.0.0.1:5000\n' });
  await note();
  assert.equal(run.registryPort, 5000);
  assert.deepEqual(ctx.notices, [
    'robot1: the registry is also published on 0.0.0.0:5000 (reachable from the LAN); recreate it to bind 127.0.0.1 only',
  ]);
});

test('the port taken by something else: the error names <NAME>_REGISTRY_PORT and a port to try, and no port is taken', async () => {
  const { run, note } = await ensure(`${ROBOT_ENV}ROBOT1_REGISTRY_PORT=5050\n`, { code: 4, stdout: 'status=port-busy\n' });
  await assert.rejects(
    note(),
    /^Error: port 5050 on robot1's loopback is taken .*Set ROBOT1_REGISTRY_PORT=<free port> \(e\.g\. 5051\) in robots\.env/,
  );
  assert.equal(run.registryPortIfKnown, undefined);
});

test("ensure failing otherwise is a command error with the robot's last words", async () => {
  const { note } = await ensure(ROBOT_ENV, { code: 1, stderr: 'permission denied while trying to connect to the Docker daemon socket\n' });
  await assert.rejects(note(), /^CommandError: starting the registry failed on robot1 \(exit 1\): permission denied while trying/);
});

test('a registry that publishes no port cannot be tunnelled to: the error says what to remove', async () => {
  const { note } = await ensure(ROBOT_ENV, { stdout: 'status=running\n' });
  await assert.rejects(
    note(),
    /the registry on robot1 publishes no port for 5000\/tcp; remove the container robot-deploy-registry there and retry/,
  );
});

test("no registry:2 on the robot and none on the laptop: a pull for the engine's own platform (the registry runs natively, not under qemu), then how to fix it while online", async () => {
  const laptop: Responder = (argv) => (argv[2] === 'pull' ? { code: 1, stderr: 'no internet\n' } : { code: 1, stderr: 'No such image\n' });
  const { on, note, shown } = await ensure(
    `${ROBOT_ENV}ROBOT1_PLATFORM=linux/arm64\n`,
    { code: 3, stdout: 'status=no-image\n' },
    {
      laptop,
      probe: 'engine linux/amd64 27.0.0\nemulates aarch64\nstatus=absent\n',
    },
  );
  await assert.rejects(
    note(),
    /^Error: robot1 has no registry:2 image and the laptop has none for linux\/amd64 either \(docker pull: no internet\)\. While online, run `docker pull --platform linux\/amd64 registry:2` on the laptop/,
  );
  assert.deepEqual(on('laptop'), [
    ['docker', 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', 'registry:2'],
    ['docker', 'image', 'pull', '--platform', 'linux/amd64', 'registry:2'],
  ]);
  assert.deepEqual(
    on('robot1').map((argv) => argv[3]),
    ['ensure-registry'],
    'nothing is started twice after a failed hand-over',
  );
  assert.equal(shown[0], 'robot1 has no registry:2; carrying it over SSH from the laptop');
});

test("a laptop holding registry:2 for the robot's platform does not pull it again before carrying it over", async () => {
  const { on, note } = await ensure(ROBOT_ENV, { code: 3, stdout: 'status=no-image\n' }, { laptop: () => ({ stdout: 'linux/amd64\n' }) });
  // The hand-over streams over the SSH connection itself, which a recording runner does not have.
  await assert.rejects(note(), /robot1 has no open SSH connection/);
  assert.deepEqual(
    on('laptop').map((argv) => argv[2]),
    ['inspect'],
  );
});

test("outside a dry run the robot's lock is taken before anything can change on the robot", async () => {
  const { on, note } = await ensure(ROBOT_ENV, { stdout: 'status=created\nbind=127.0.0.1:5000\n' }, { recorded: false });
  // The lock is held over the SSH connection, which a recording runner does not have: the step stops there.
  await assert.rejects(note(), /robot1 has no open SSH connection/);
  assert.deepEqual(on('robot1'), []);
});

test('stop registry (registry.ts --stop) stops the container and says so; a failure is a command error', async () => {
  const stopped = await stepHarness();
  assert.equal(await stopRegistry.run(stopped.ctx, stopped.run, () => undefined), 'robot-deploy-registry stopped on robot1');
  assert.deepEqual(stopped.on('robot1'), [['docker', 'container', 'stop', 'robot-deploy-registry']]);
  const failing = await stepHarness(ROBOT_ENV, { robot: () => () => ({ code: 1, stderr: 'No such container: robot-deploy-registry' }) });
  await assert.rejects(
    stopRegistry.run(failing.ctx, failing.run, () => undefined),
    /^CommandError: stopping robot-deploy-registry failed on robot1 \(exit 1\): No such container/,
  );
});
