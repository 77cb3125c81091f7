// The pipeline: what prepareDeploy checks and plans before any robot is touched, and runDeploy's builds and robots
// side by side, where one robot's failure is that robot's alone. Dry runs only: every command is recorded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadProjectConfig } from '../../../scripts/lib/config/load-config.ts';
import { buildFor } from '../../../scripts/lib/deploy/context.ts';
import { DRY_RUN_DIGEST, laptopResponder } from '../../../scripts/lib/deploy/dry-run.ts';
import { type DeployRequest, prepareDeploy, runDeploy, runRobotSteps } from '../../../scripts/lib/deploy/pipeline.ts';
import type { RobotStep } from '../../../scripts/lib/deploy/robot-step.ts';
import { checkRobot } from '../../../scripts/lib/deploy/steps/check-robot.ts';
import { connect } from '../../../scripts/lib/deploy/steps/connect.ts';
import { DEPLOY_STEPS } from '../../../scripts/lib/deploy/steps/index.ts';
import { pullAndTag } from '../../../scripts/lib/deploy/steps/pull-and-tag.ts';
import { push } from '../../../scripts/lib/deploy/steps/push.ts';
import { registry } from '../../../scripts/lib/deploy/steps/registry.ts';
import { tunnel } from '../../../scripts/lib/deploy/steps/tunnel.ts';
import { DRY_RUN_ROUTE } from '../../../scripts/lib/push/push-route.ts';
import type { Responder } from '../../../scripts/lib/runner/recording-runner.ts';
import { StepClock } from '../../../scripts/lib/runner/step-clock.ts';
import { Teardown } from '../../../scripts/lib/runner/teardown.ts';
import { makeProject } from '../../support/cli.ts';
import { answeredBy, commandName, dryRunDeploy, ROBOT_ENV, type StepSetup, stepHarness } from '../../support/deploy-harness.ts';

const FLEET = [
  'IMAGE=app',
  'WORKSPACES=navigation',
  'ROBOT1_HOST=nuc@192.0.2.64',
  'ROBOT2_HOST=nuc@192.0.2.65',
  'ROBOT2_WORKSPACES=navigation,perception',
  'ROBOT3_HOST=pi@192.0.2.66',
  'ROBOT3_PLATFORM=linux/arm64',
  '',
].join('\n');
const BOTH = ['navigation', 'perception'];

function request(env: string, workspaces: string[], extra: Partial<DeployRequest> = {}): DeployRequest {
  const config = loadProjectConfig(makeProject(env, workspaces).envFile);
  return {
    config,
    robots: config.robots,
    wsFlags: [],
    dryRun: true,
    signal: new AbortController().signal,
    teardown: new Teardown(),
    ...extra,
  };
}

test('a dry run records instead of running, and asks the engine nothing: RD_BUILDER chooses the build path shown', async (t) => {
  const saved = process.env.RD_BUILDER;
  t.after(() => {
    if (saved === undefined) delete process.env.RD_BUILDER;
    else process.env.RD_BUILDER = saved;
  });
  delete process.env.RD_BUILDER;
  const ctx = await prepareDeploy(request(ROBOT_ENV, ['navigation']));
  assert.deepEqual(ctx.recorded, []);
  assert.equal(ctx.local.records, true);
  assert.equal(ctx.localTeardown.records, true);
  assert.equal(ctx.buildPath, 'buildkit');
  assert.equal(await ctx.pushRoute(), DRY_RUN_ROUTE);
  assert.equal(ctx.noDelta, false);
  process.env.RD_BUILDER = 'buildx';
  assert.equal((await prepareDeploy(request(ROBOT_ENV, ['navigation'], { noDelta: true }))).buildPath, 'buildx');
  assert.equal((await prepareDeploy(request(ROBOT_ENV, ['navigation'], { noDelta: true }))).noDelta, true);
});

test('one build per platform and workspace, shared by every robot that needs it', async () => {
  const ctx = await prepareDeploy(request(FLEET, BOTH));
  const [robot1, robot2, robot3] = ctx.robots;
  assert.deepEqual(
    ctx.robots.map((run) => run.workspaces),
    [['navigation'], BOTH, ['navigation']],
  );
  assert.deepEqual([...ctx.builds.keys()].sort(), ['linux/amd64 navigation', 'linux/amd64 perception', 'linux/arm64 navigation']);
  assert.equal(buildFor(ctx, robot1, 'navigation'), buildFor(ctx, robot2, 'navigation'));
  assert.notEqual(buildFor(ctx, robot1, 'navigation'), buildFor(ctx, robot3, 'navigation'));
});

test('--ws chooses the workspaces of every robot; one without a Dockerfile fails before anything is planned or run', async () => {
  const ctx = await prepareDeploy(request(FLEET, BOTH, { wsFlags: ['perception'] }));
  assert.deepEqual(
    ctx.robots.map((run) => run.workspaces),
    [['perception'], ['perception'], ['perception']],
  );
  assert.deepEqual([...ctx.builds.keys()].sort(), ['linux/amd64 perception', 'linux/arm64 perception']);
  await assert.rejects(prepareDeploy(request(FLEET, BOTH, { wsFlags: ['mapping'] })), {
    name: 'UsageError',
    message: /^workspace "mapping" has no Dockerfile at .*Known workspaces: navigation, perception$/,
  });
});

test('--ws in a deploy: only that workspace is probed, built, pushed and deployed', async () => {
  const env = 'IMAGE=app\nWORKSPACES=navigation,perception\nROBOT1_HOST=nuc@192.0.2.64\n';
  const { ctx, log } = await dryRunDeploy(env, DEPLOY_STEPS, { workspaces: BOTH, wsFlags: ['perception'] });
  const [run] = ctx.robots;
  assert.equal(run.error, undefined);
  assert.deepEqual([...run.outcomes.keys()], ['perception']);
  // Per host: the build and the robot's first steps run side by side.
  const mentions = (ws: string, where: string) =>
    log
      .filter((entry) => entry.where === where && entry.argv.some((arg) => arg.includes(`app:${ws}`)))
      .map((entry) => commandName(entry.argv));
  assert.deepEqual([...mentions('navigation', 'laptop'), ...mentions('navigation', 'robot1')], []);
  assert.deepEqual(mentions('perception', 'laptop'), [
    'docker build --platform',
    'docker image tag',
    'docker image push',
    'docker image rm',
  ]);
  assert.deepEqual(mentions('perception', 'robot1'), ['probe', 'pull-and-tag']);
});

test('commands on robots without their workspaces (registry.ts, tunnel.ts) plan no build; build.ts names its own pairs', async () => {
  const bare = await prepareDeploy(request(FLEET, BOTH, { withoutWorkspaces: true }));
  assert.deepEqual(
    bare.robots.map((run) => run.workspaces),
    [[], [], []],
  );
  assert.equal(bare.builds.size, 0);
  const pairs = await prepareDeploy(
    request(FLEET, BOTH, { withoutWorkspaces: true, buildPairs: [{ platform: 'linux/riscv64', ws: 'perception' }] }),
  );
  assert.deepEqual([...pairs.builds.keys()], ['linux/riscv64 perception']);
});

test('only a list with a step that needs the build builds: registry and tunnel alone build nothing', async () => {
  const { ctx, laptop, robot } = await dryRunDeploy(ROBOT_ENV, [connect, registry, tunnel]);
  assert.deepEqual(laptop, []);
  assert.deepEqual(robot, ['ensure-registry']);
  assert.equal(ctx.robots[0].error, undefined);
});

/** A deploy of FLEET's first two robots (same platform) run by runDeploy, each link's clean-up counted. */
async function fleet(steps: readonly RobotStep[], setup: StepSetup = {}) {
  const env = FLEET.replace(/ROBOT3_\w+=.*\n/g, '');
  const harness = await stepHarness(env, { workspaces: BOTH, ...setup });
  const closed: string[] = [];
  for (const run of harness.ctx.robots) run.link.close = async () => void closed.push(run.robot.name);
  await runDeploy(harness.ctx, new StepClock(), steps, { quiet: true });
  const names = (where: string) => harness.on(where).map(commandName);
  return { ...harness, closed, names };
}

test("a failing step stops that robot only: the other deploys, the shared build runs once, and every robot's link is closed", async () => {
  const failing = { ...checkRobot, run: async () => Promise.reject(new Error('robot2 is unreachable')) };
  const steps = DEPLOY_STEPS.map((step) => (step === checkRobot ? { ...checkRobot, run: runFor('robot2', failing, checkRobot) } : step));
  const { ctx, closed, names, ...harness } = await fleet(steps);
  const [robot1, robot2] = ctx.robots;
  assert.equal(robot1.error, undefined);
  assert.equal(robot1.outcomes.get('navigation')?.kind, 'deployed');
  assert.equal(robot2.error, 'robot2 is unreachable');
  assert.equal(robot2.outcomes.size, 0);
  assert.deepEqual(names('robot1'), ['probe', 'ensure-registry', 'pull-and-tag']);
  assert.deepEqual(names('robot2'), [], 'nothing after the failed step');
  const builds = harness.on('laptop').filter((argv) => argv[1] === 'build');
  assert.deepEqual(
    builds.map((argv) => argv[argv.indexOf('--tag') + 1]).sort(),
    ['app:navigation', 'app:perception'],
    "one build per workspace, shared; robot2's perception is built all the same, the build does not wait for robots",
  );
  assert.deepEqual(closed.sort(), ['robot1', 'robot2']);
  assert.equal(ctx.teardown.size, 0, 'no temporary tag is left for the teardown');
});

/** `step.run` for the robot named `name`, `otherwise.run` for the rest. */
function runFor(name: string, step: RobotStep, otherwise: RobotStep): RobotStep['run'] {
  return (ctx, run, show) => (run.robot.name === name ? step.run(ctx, run, show) : otherwise.run(ctx, run, show));
}

test("a failed build fails every robot waiting on it, with the build's error; the others deploy", async () => {
  const laptop: Responder = (argv) =>
    argv[1] === 'build' && argv.includes('app:perception')
      ? { code: 1, stderr: 'failed to solve: no space left on device\n' }
      : laptopResponder(argv);
  const env = `${ROBOT_ENV}ROBOT2_HOST=nuc@192.0.2.65\nROBOT2_WORKSPACES=navigation,perception\nROBOT3_HOST=nuc@192.0.2.66\nROBOT3_WORKSPACES=perception\n`;
  const harness = await stepHarness(env, { workspaces: BOTH, laptop });
  await runDeploy(harness.ctx, new StepClock(), DEPLOY_STEPS, { quiet: true });
  const [robot1, robot2, robot3] = harness.ctx.robots;
  assert.equal(robot1.error, undefined);
  assert.deepEqual([...robot1.outcomes.keys()], ['navigation']);
  for (const failed of [robot2, robot3]) {
    assert.match(failed.error ?? '', /^build failed — docker build of app:perception \(linux\/amd64\) failed.*no space left on device/);
  }
  assert.deepEqual(harness.on('robot2').map(commandName), ['probe'], 'robot2 ships nothing, not even the navigation that did build');
});

test('a robot holding every image already is up to date, not failed: nothing is shipped to it', async () => {
  const holds = () => scriptAnswerProbe(`engine linux/amd64 dry\nimage app:navigation ${DRY_RUN_DIGEST}\nstatus=absent\n`);
  const { ctx, laptop, robot } = await dryRunDeploy(ROBOT_ENV, answeredBy(holds));
  const [run] = ctx.robots;
  assert.equal(run.error, undefined);
  assert.deepEqual(run.outcomes.get('navigation'), { kind: 'up-to-date', id: DRY_RUN_DIGEST });
  assert.deepEqual(robot, ['probe']);
  assert.deepEqual(laptop, ['docker build --platform', 'docker image inspect']);
});

const scriptAnswerProbe =
  (stdout: string): Responder =>
  (argv) =>
    argv[0] === 'sh' && argv[3] === 'probe' ? { stdout } : undefined;

test('a deploy that ends without an outcome for each workspace is a failure, though no step failed', async () => {
  // Without the compare nothing is marked stale: push and pull & tag have nothing to do.
  const { ctx } = await dryRunDeploy(ROBOT_ENV, [connect, checkRobot, registry, tunnel, push, pullAndTag]);
  assert.equal(ctx.robots[0].error, 'did not finish (see the step above)');
});

test('runRobotSteps takes the robots without their workspaces and builds nothing', async () => {
  const { config, robots, dryRun, signal, teardown } = request(FLEET, BOTH);
  // runRobotSteps shows its progress as registry.ts does; the test runner's own stdout must not carry it.
  const write = process.stdout.write;
  const shown: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array) => shown.push(String(chunk)) > 0) as typeof process.stdout.write;
  const ctx = await runRobotSteps({ config, robots, dryRun, signal, teardown }, [connect, registry]).finally(() => {
    process.stdout.write = write;
  });
  assert.match(shown.join(''), /registry running on robot3's 127\.0\.0\.1:5000/);
  assert.deepEqual(
    ctx.robots.map((run) => [run.workspaces, run.registryPort, run.error]),
    [
      [[], 5000, undefined],
      [[], 5000, undefined],
      [[], 5000, undefined],
    ],
  );
  assert.deepEqual(
    (ctx.recorded ?? []).filter((entry) => entry.where === 'laptop'),
    [],
  );
});
