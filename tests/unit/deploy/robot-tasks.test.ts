// One robot's task list: a task per step that applies to it, skips after a failure and for a robot already up
// to date, the dry variant in a dry run, and clean-up last whatever happened. Each task is run here the way
// listr2 runs them in order (exitOnError: false), with a task object that keeps what the step set on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployContext } from '../../../scripts/lib/deploy/context.ts';
import type { RobotRun } from '../../../scripts/lib/deploy/robot-run.ts';
import type { RobotStep } from '../../../scripts/lib/deploy/robot-step.ts';
import { type Finish, robotTasks, robotTitle } from '../../../scripts/lib/deploy/robot-tasks.ts';
import { beforeRobotStep } from '../../../scripts/lib/deploy/step-hooks.ts';
import { ROBOT_ENV, stepHarness } from '../../support/deploy-harness.ts';

interface Ran {
  title: string;
  skipped?: string;
  error?: string;
  output?: string;
}

/** Runs the robot's tasks one after the other, as listr2 does, and keeps how each ended. */
async function runTasks(ctx: DeployContext, run: RobotRun, steps: RobotStep[], finish: Finish = 'close'): Promise<Ran[]> {
  const ran: Ran[] = [];
  for (const listed of robotTasks(ctx, run, steps, finish)) {
    const task: Ran & { skip(message: string): void } = {
      title: listed.title as string,
      skip(message) {
        this.skipped = message;
      },
    };
    try {
      await (listed.task as (ctx: unknown, task: unknown) => Promise<unknown>)(ctx, task);
    } catch (error) {
      task.error = (error as Error).message;
    }
    const { skip: _skip, ...ended } = task;
    ran.push(ended);
  }
  return ran;
}

/** A step that notes each run in `calls`, and returns `note` or throws `fails`. */
function step(title: string, calls: string[], flags: Partial<RobotStep> & { fails?: string; note?: string } = {}): RobotStep {
  const { fails, note, ...rest } = flags;
  return {
    title,
    async run(_ctx, run, show) {
      calls.push(`${title} ${run.robot.name}`);
      show(`working on ${title}`);
      if (fails) throw new Error(fails);
      return note;
    },
    ...rest,
  };
}

/** The first robot, its link's clean-up counted instead of done. */
async function robot(env = ROBOT_ENV) {
  const harness = await stepHarness(env);
  const ends: string[] = [];
  harness.run.link.close = async () => void ends.push('close');
  harness.run.link.release = async () => void ends.push('release');
  return { ...harness, ends };
}

test('a task per step that applies to the robot, in order, then clean up', async () => {
  const { ctx, run } = await robot(`${ROBOT_ENV}ROBOT1_AFTER=true\n`);
  const calls: string[] = [];
  const steps = [
    step('connect', calls),
    step('compose', calls, { appliesTo: (r) => Boolean(r.compose) }),
    step('after', calls, { appliesTo: (r) => Boolean(r.after) }),
  ];
  assert.deepEqual(
    robotTasks(ctx, run, steps, 'close').map((task) => task.title),
    ['connect', 'after', 'clean up'],
  );
});

test('a failing step fails that robot: the first error is kept, later steps are skipped, clean up still closes the link', async () => {
  const { ctx, run, ends } = await robot();
  const calls: string[] = [];
  const ran = await runTasks(ctx, run, [
    step('connect', calls),
    step('registry', calls, { fails: 'port 5000 is taken' }),
    step('push', calls, { fails: 'never reached' }),
  ]);
  assert.deepEqual(calls, ['connect robot1', 'registry robot1']);
  assert.equal(run.error, 'port 5000 is taken');
  assert.deepEqual(
    ran.map(({ title, skipped, error }) => [title, skipped ?? error ?? 'ok']),
    [
      ['connect', 'ok'],
      ['registry', 'port 5000 is taken'],
      ['push', 'push: skipped (robot1 failed earlier)'],
      ['clean up', 'ok'],
    ],
  );
  assert.deepEqual(ends, ['close']);
});

test('after a compare, steps that ship images skip a robot already up to date; steps that do not ship still run', async () => {
  const { ctx, run, ends } = await robot();
  const calls: string[] = [];
  const ran = await runTasks(ctx, run, [
    step('compare', calls, { comparesBuild: true }),
    step('push', calls, { shipsImages: true }),
    step('status', calls),
  ]);
  assert.deepEqual(calls, ['compare robot1', 'status robot1']);
  assert.equal(ran[1].skipped, 'push: skipped, robot is up to date');
  assert.equal(run.error, undefined);
  assert.deepEqual(ends, ['close']);
});

test('a stale workspace after the compare: the steps that ship images run', async () => {
  const { ctx, run } = await robot();
  const calls: string[] = [];
  const compare: RobotStep = {
    title: 'compare',
    comparesBuild: true,
    async run(_ctx, compared) {
      compared.stale = ['navigation'];
      return undefined;
    },
  };
  await runTasks(ctx, run, [compare, step('push', calls, { shipsImages: true })]);
  assert.deepEqual(calls, ['push robot1']);
});

test('without a compare in the list (registry.ts, tunnel.ts), steps that ship images run on a robot with nothing stale', async () => {
  const { ctx, run } = await robot();
  const calls: string[] = [];
  await runTasks(ctx, run, [step('registry', calls, { shipsImages: true }), step('tunnel', calls, { shipsImages: true })]);
  assert.deepEqual(calls, ['registry robot1', 'tunnel robot1']);
});

test("a dry run takes a step's dry variant where it has one; a real run its run", async () => {
  for (const recorded of [true, false]) {
    const harness = await stepHarness(ROBOT_ENV, { recorded });
    harness.run.link.close = async () => undefined;
    const calls: string[] = [];
    const connect: RobotStep = {
      ...step('connect', calls),
      async dryRun(_ctx, run) {
        calls.push(`dry connect ${run.robot.name}`);
        return 'would connect';
      },
    };
    const ran = await runTasks(harness.ctx, harness.run, [connect, step('check robot', calls)]);
    assert.deepEqual(calls, recorded ? ['dry connect robot1', 'check robot robot1'] : ['connect robot1', 'check robot robot1']);
    assert.equal(ran[0].title, recorded ? 'connect: would connect' : 'connect');
  }
});

test("a step's note goes after its title; its progress goes to the task's output; each step and clean up is timed", async () => {
  const { ctx, run } = await robot();
  const calls: string[] = [];
  const ran = await runTasks(ctx, run, [step('registry', calls, { note: 'registry running' }), step('tunnel', calls)]);
  assert.deepEqual(
    ran.map(({ title, output }) => [title, output]),
    [
      ['registry: registry running', 'working on registry'],
      ['tunnel', 'working on tunnel'],
      ['clean up', undefined],
    ],
  );
  assert.deepEqual(
    run.clock.steps.map((timed) => timed.name),
    ['registry', 'tunnel', 'clean up'],
  );
});

test("deploy --watch finishes by giving the robot's lock back, keeping the link", async () => {
  const { ctx, run, ends } = await robot();
  await runTasks(ctx, run, [step('connect', [])], 'release');
  assert.deepEqual(ends, ['release']);
});

test('hooks run before each step, with its title; a failing hook fails that step like the step itself', async (t) => {
  const { ctx, run } = await robot();
  const seen: string[] = [];
  const hook = async (title: string) => {
    seen.push(title);
    if (title === 'push') throw new Error('held');
  };
  beforeRobotStep.push(hook);
  t.after(() => {
    beforeRobotStep.splice(beforeRobotStep.indexOf(hook), 1);
  });
  const calls: string[] = [];
  await runTasks(ctx, run, [step('tunnel', calls), step('push', calls), step('pull & tag', calls)]);
  assert.deepEqual(seen, ['tunnel', 'push']);
  assert.deepEqual(calls, ['tunnel robot1']);
  assert.equal(run.error, 'held');
});

test("a robot's title names it, its SSH target and its platform", async () => {
  const { run } = await stepHarness(`${ROBOT_ENV}ROBOT1_PLATFORM=linux/arm64\n`);
  assert.equal(robotTitle(run), 'robot1 (nuc@192.0.2.64, linux/arm64)');
});
