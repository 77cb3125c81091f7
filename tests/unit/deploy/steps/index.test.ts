// The step list as data, and the post's steps run in-process against the recording runner (a dry run):
// each step's commands, per host, in the post's order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEPLOY_STEPS } from '../../../../scripts/lib/deploy/steps/index.ts';
import { pruneStep } from '../../../../scripts/lib/prune/prune-step.ts';
import { dryRunDeploy } from '../../../support/deploy-harness.ts';

const ENV = 'IMAGE=app\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.0.2.64\nROBOT1_AFTER=systemctl restart robot\n';

test("the deploy's steps are the post's, in its order, and each says what it needs", () => {
  assert.deepEqual(
    DEPLOY_STEPS.map((step) => step.title),
    ['connect', 'check robot', 'compare with the build', 'registry', 'tunnel', 'push', 'pull & tag', 'compose', 'after'],
  );
  const flagged = (flag: 'shipsImages' | 'needsBuilds' | 'deploys') => DEPLOY_STEPS.filter((step) => step[flag]).map((step) => step.title);
  assert.deepEqual(flagged('needsBuilds'), ['compare with the build', 'push']);
  assert.deepEqual(flagged('shipsImages'), ['registry', 'tunnel', 'push', 'pull & tag', 'compose', 'after']);
  assert.deepEqual(flagged('deploys'), ['pull & tag']);
  const robot = { compose: undefined, after: 'true' } as never;
  assert.deepEqual(
    DEPLOY_STEPS.filter((step) => !step.appliesTo || step.appliesTo(robot)).map((step) => step.title),
    ['connect', 'check robot', 'compare with the build', 'registry', 'tunnel', 'push', 'pull & tag', 'after'],
    'compose applies only to a robot with <NAME>_COMPOSE',
  );
});

const dryRun = (steps = DEPLOY_STEPS) => dryRunDeploy(ENV, steps);

test('a deploy, recorded: the build, the push on the laptop; on the robot the probe, registry, pull & tag and AFTER', async () => {
  const { ctx, laptop, robot } = await dryRun();
  assert.equal(ctx.robots[0]?.error, undefined);
  assert.deepEqual(laptop, ['docker build --platform', 'docker image inspect', 'docker image tag', 'docker image push', 'docker image rm']);
  assert.deepEqual(robot, ['probe', 'ensure-registry', 'pull-and-tag', undefined], "AFTER runs the user's command itself");
  assert.equal(
    ctx.recorded
      ?.filter((entry) => entry.where === 'robot1')
      .at(-1)
      ?.argv.join(' '),
    'sh -c systemctl restart robot',
  );
  assert.equal(ctx.robots[0]?.outcomes.get('navigation')?.kind, 'deployed');
});

test("prune's own list: its step takes --keep, and recorded it lists the robot's images after the registry step", async () => {
  const { ctx, robot } = await dryRun([DEPLOY_STEPS[0], DEPLOY_STEPS[3], DEPLOY_STEPS[4], pruneStep(2)]);
  assert.equal(ctx.robots[0]?.error, undefined);
  assert.deepEqual(robot.slice(0, 2), ['ensure-registry', 'prune-inventory']);
});
