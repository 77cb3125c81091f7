// What a robot's <NAME>_COMPOSE and <NAME>_AFTER ask for once the image is deployed: only on robots that set
// them, after the pull & tag, and a failure there says the image is deployed all the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { after, compose } from '../../../../scripts/lib/deploy/steps/after-deploy.ts';
import { RecordingRunner, type Responder } from '../../../../scripts/lib/runner/recording-runner.ts';
import { answeredBy, dryRunDeploy, OptionsRunner, ROBOT_ENV, stepHarness } from '../../../support/deploy-harness.ts';

const COMPOSE_FILE = '/opt/robot/compose.yaml';

async function afterDeploy(env: string, answer: Responder) {
  const harness = await stepHarness(env);
  const robot = new OptionsRunner(new RecordingRunner('robot1', harness.log, answer));
  harness.run.link.connected(robot);
  return { ...harness, robot };
}

test('compose and after apply only to robots that set <NAME>_COMPOSE or <NAME>_AFTER', async () => {
  const env = `${ROBOT_ENV}ROBOT1_COMPOSE=${COMPOSE_FILE}\nROBOT2_HOST=nuc@192.0.2.65\nROBOT2_AFTER=systemctl restart robot\n`;
  const { ctx } = await stepHarness(env);
  const [robot1, robot2] = ctx.robots.map((run) => run.robot);
  assert.deepEqual(
    [compose.appliesTo?.(robot1), after.appliesTo?.(robot1), compose.appliesTo?.(robot2), after.appliesTo?.(robot2)],
    [true, false, false, true],
  );
});

test("compose brings the robot's compose file up, with five robot timeouts to do it; its last lines are the note", async () => {
  const env = `${ROBOT_ENV}ROBOT1_COMPOSE=${COMPOSE_FILE}\nROBOT_TIMEOUT_SECONDS=20\n`;
  const output = 'Container a  Recreated\nContainer b  Recreated\nContainer a  Started\nContainer b  Started\n';
  const { ctx, run, robot, on } = await afterDeploy(env, () => ({ stdout: output }));
  const note = await compose.run(ctx, run, () => undefined);
  assert.deepEqual(
    robot.calls.map((call) => [call.argv.slice(3), call.options?.timeoutMs]),
    [[['compose-up', COMPOSE_FILE], 100_000]],
  );
  assert.equal(note, 'Container b  Recreated | Container a  Started | Container b  Started');
  assert.deepEqual(on('laptop'), []);
});

test('a compose project name reaches the robot as it was written', async () => {
  const { ctx, run, robot } = await afterDeploy(`${ROBOT_ENV}ROBOT1_COMPOSE=robot-stack\n`, () => undefined);
  await compose.run(ctx, run, () => undefined);
  assert.deepEqual(robot.calls[0]?.argv.slice(3), ['compose-up', 'robot-stack']);
});

test('a failed compose says the image is deployed, names the setting, and gives the last words', async () => {
  const env = `${ROBOT_ENV}ROBOT1_COMPOSE=${COMPOSE_FILE}\n`;
  const { ctx, run } = await afterDeploy(env, () => ({ code: 4, stderr: "docker: 'compose' is not a docker command.\n" }));
  await assert.rejects(
    compose.run(ctx, run, () => undefined),
    {
      message: `deployed, but ROBOT1_COMPOSE=${COMPOSE_FILE} failed (exit 4): docker: 'compose' is not a docker command.`,
    },
  );
});

test("AFTER runs the user's command whole, as one argument of sh -c, with five robot timeouts", async () => {
  const command = 'systemctl restart robot && journalctl -u robot -n 1';
  const { ctx, run, robot } = await afterDeploy(`${ROBOT_ENV}ROBOT1_AFTER=${command}\n`, () => undefined);
  await after.run(ctx, run, () => undefined);
  assert.deepEqual(robot.calls, [{ argv: ['sh', '-c', command], options: { timeoutMs: 5 * 60 * 1000 } }]);
});

test("AFTER's note: what it printed, on either stream; 'done' when it printed nothing", async () => {
  const env = `${ROBOT_ENV}ROBOT1_AFTER=systemctl restart robot\n`;
  const talking = await afterDeploy(env, () => ({ stdout: 'restarting\n', stderr: 'unit robot.service restarted\n' }));
  assert.equal(await after.run(talking.ctx, talking.run, () => undefined), 'restarting | unit robot.service restarted');
  const silent = await afterDeploy(env, () => undefined);
  assert.equal(await after.run(silent.ctx, silent.run, () => undefined), 'done');
});

test('a failed AFTER says the image is deployed and names the setting', async () => {
  const env = `${ROBOT_ENV}ROBOT1_AFTER=systemctl restart robot\n`;
  const { ctx, run } = await afterDeploy(env, () => ({ code: 5, stderr: 'Failed to restart robot.service: Unit not found.\n' }));
  await assert.rejects(
    after.run(ctx, run, () => undefined),
    {
      message: 'deployed, but ROBOT1_AFTER failed (exit 5): Failed to restart robot.service: Unit not found.',
    },
  );
});

test('in a deploy, compose then AFTER run after the pull & tag; a failing AFTER fails the robot, its image still deployed', async () => {
  const env = `${ROBOT_ENV}ROBOT1_COMPOSE=${COMPOSE_FILE}\nROBOT1_AFTER=exit 3\n`;
  const { ctx, robot } = await dryRunDeploy(
    env,
    answeredBy(() => (argv) => (argv[2] === 'exit 3' ? { code: 3, stderr: 'exited' } : undefined)),
  );
  assert.deepEqual(robot, ['probe', 'ensure-registry', 'pull-and-tag', 'compose-up', undefined]);
  const [run] = ctx.robots;
  assert.equal(run.error, 'deployed, but ROBOT1_AFTER failed (exit 3): exited');
  assert.equal(run.outcomes.get('navigation')?.kind, 'deployed');
});
