// The check: one read-only probe of the robot (its engine's platform, the images it holds, its registry), and
// whether the configured platform runs there. Against a recording runner answering as a test's robot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRobot } from '../../../../scripts/lib/deploy/steps/check-robot.ts';
import type { RecordedCommand } from '../../../../scripts/lib/runner/recording-runner.ts';
import { RecordingRunner } from '../../../../scripts/lib/runner/recording-runner.ts';
import type { CommandResult } from '../../../../scripts/lib/runner/runner.ts';
import type { RobotConnection } from '../../../../scripts/lib/ssh/connect.ts';
import { digest, ROBOT_ENV, scriptAnswers, stepHarness } from '../../../support/deploy-harness.ts';

const TWO = 'IMAGE=app\nWORKSPACES=navigation,perception\nROBOT1_HOST=nuc@192.0.2.64\n';

async function check(env: string, probe: Partial<CommandResult>, options: { recorded?: boolean; workspaces?: string[] } = {}) {
  const harness = await stepHarness(env, { robot: () => scriptAnswers({ probe }), ...options });
  const note = () => checkRobot.run(harness.ctx, harness.run, () => undefined);
  return { ...harness, note };
}

test("one read-only probe asks for IMAGE:WS of each of the robot's workspaces; the laptop runs nothing", async () => {
  const { on, note } = await check(
    TWO,
    { stdout: 'engine linux/amd64 27.0.0\nstatus=absent\n' },
    { workspaces: ['navigation', 'perception'] },
  );
  assert.equal(await note(), undefined);
  assert.deepEqual(
    on('robot1').map((argv) => argv.slice(3)),
    [['probe', 'robot-deploy-registry', 'app:navigation', 'app:perception']],
  );
  assert.deepEqual(on('laptop'), []);
});

test("what the probe reports becomes the run's view of the robot", async () => {
  const stdout = [
    'engine linux/amd64 27.0.0',
    `image app:navigation ${digest('1')} 127.0.0.1:5000/app@${digest('d')}`,
    'fingerprint app:navigation linux/amd64 2024 ["layers"]',
    'status=running',
    'bind=127.0.0.1:5000',
    '',
  ].join('\n');
  const { run, note } = await check(ROBOT_ENV, { stdout });
  await note();
  assert.equal(run.remote.platform, 'linux/amd64');
  assert.deepEqual(run.remote.images.get('app:navigation'), {
    id: digest('1'),
    digests: [digest('d')],
    fingerprint: 'linux/amd64 2024 ["layers"]',
  });
  assert.equal(run.remote.registry.status, 'running');
});

test('an engine of another architecture fails the check, naming the setting that fixes it', async () => {
  const { ctx, note } = await check(ROBOT_ENV, { stdout: 'engine linux/arm64 27.0.0\nstatus=absent\n' });
  await assert.rejects(note(), {
    message: "robot1's engine is linux/arm64 but its platform is linux/amd64; set ROBOT1_PLATFORM=linux/arm64 in robots.env",
  });
  assert.deepEqual(ctx.notices, []);
});

test('a 32-bit ARM engine: the suggested platform carries the variant docker builds for', async () => {
  const { note } = await check(ROBOT_ENV, { stdout: 'engine linux/arm 27.0.0\nstatus=absent\n' });
  await assert.rejects(note(), /set ROBOT1_PLATFORM=linux\/arm\/v7 in robots\.env$/);
});

test('an engine that runs the platform through qemu passes, with a notice that it will be slow', async () => {
  const env = `${ROBOT_ENV}ROBOT1_PLATFORM=linux/arm64\n`;
  const { ctx, note } = await check(env, { stdout: 'engine linux/amd64 27.0.0\nemulates aarch64\nstatus=absent\n' });
  await note();
  assert.equal(ctx.notices.length, 1);
  assert.match(ctx.notices[0], /^robot1's engine is linux\/amd64: its linux\/arm64 images run under qemu emulation/);
});

test("a failed probe (docker not running) fails the step with docker's own words", async () => {
  const { run, note } = await check(ROBOT_ENV, { code: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock\n' });
  await assert.rejects(note(), /^CommandError: checking docker on robot1 failed on robot1 \(exit 1\): Cannot connect to the Docker daemon/);
  assert.equal(run.remoteIfProbed, undefined);
});

test('a registry already running: a real deploy knows its port at once (the tunnel may open while the image builds); a dry run leaves that to the registry step', async () => {
  const stdout = 'engine linux/amd64 27.0.0\nstatus=running\nbind=127.0.0.1:5003\n';
  const real = await check(ROBOT_ENV, { stdout }, { recorded: false });
  await real.note();
  assert.equal(real.run.registryPortIfKnown, 5003);
  const dry = await check(ROBOT_ENV, { stdout });
  await dry.note();
  assert.equal(dry.run.registryPortIfKnown, undefined);
  const stopped = await check(ROBOT_ENV, { stdout: 'engine linux/amd64 27.0.0\nstatus=exited\n' }, { recorded: false });
  await stopped.note();
  assert.equal(stopped.run.registryPortIfKnown, undefined);
});

/** A connection that stays up: deploy --watch keeps it between saves. */
const liveConnection = (): RobotConnection =>
  ({
    closed: new Promise<Error | undefined>(() => undefined),
    isClosed: () => false,
    close: () => undefined,
  }) as unknown as RobotConnection;

test('deploy --watch probes once per connection: on the same one the robot is known; a new connection is probed again', async () => {
  const { ctx, run, log } = await stepHarness();
  const robot = new RecordingRunner('robot1', log, scriptAnswers({ probe: { stdout: 'engine linux/amd64 27.0.0\n' } }));
  const probes = (entries: RecordedCommand[]) => entries.filter((entry) => entry.argv[3] === 'probe').length;
  run.link.connected(robot, liveConnection());
  assert.equal(await checkRobot.run(ctx, run, () => undefined), undefined);
  run.newRound();
  assert.equal(await checkRobot.run(ctx, run, () => undefined), 'known from the last redeploy');
  assert.equal(probes(log), 1);
  run.link.connected(robot, liveConnection());
  assert.equal(await checkRobot.run(ctx, run, () => undefined), undefined);
  assert.equal(probes(log), 2);
});
