// The post's step 4 on the robot: pull by digest from the robot's own registry, move IMAGE:WS (the old one kept
// as IMAGE:WS.prev), and on the laptop keep the shipped image for the next delta. Run against recording runners.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe } from '../../../../scripts/lib/commands/robot-docker.ts';
import { ROBOT_LOCK_WAIT_SECONDS } from '../../../../scripts/lib/commands/robot-lock-script.ts';
import { compareWithBuild } from '../../../../scripts/lib/deploy/steps/compare.ts';
import { pullAndTag } from '../../../../scripts/lib/deploy/steps/pull-and-tag.ts';
import type { BuiltImage } from '../../../../scripts/lib/image-build/build-job.ts';
import { RecordingRunner } from '../../../../scripts/lib/runner/recording-runner.ts';
import type { CommandResult } from '../../../../scripts/lib/runner/runner.ts';
import { digest, OptionsRunner, ROBOT_ENV, type StepSetup, scriptAnswers, stepHarness } from '../../../support/deploy-harness.ts';

const BUILT: BuiltImage = { id: digest('1'), digests: [], localId: digest('1'), fingerprint: 'linux/amd64 layers-of-navigation' };
const PUSHED = digest('d');
const DEPLOYED = `deployed ${digest('e')}\nprevious ${digest('9')}\n`;

/** A robot after the push: the registry on `port`, the workspaces stale, each with a pushed digest. */
async function afterPush(
  env = ROBOT_ENV,
  options: StepSetup & { answer?: Partial<CommandResult>; stale?: string[]; built?: (ws: string) => BuiltImage; port?: number } = {},
) {
  const harness = await stepHarness(env, {
    robot: () => scriptAnswers({ 'pull-and-tag': options.answer ?? { stdout: DEPLOYED } }),
    ...options,
  });
  const { run } = harness;
  run.remote = parseProbe('engine linux/amd64 27.0.0\nstatus=running\nbind=127.0.0.1:5000\n');
  run.registryPort = options.port ?? 5000;
  run.stale = options.stale ?? [...run.workspaces];
  for (const ws of run.workspaces) {
    run.digests.set(ws, PUSHED);
    harness.built(ws, options.built?.(ws) ?? BUILT);
  }
  const notes: string[] = [];
  const note = () => pullAndTag.run(harness.ctx, run, (text) => notes.push(text));
  return { ...harness, note };
}

test('only the stale workspaces are pulled, by the digest the push made, from the registry the run found, and their tags moved', async () => {
  const env = 'IMAGE=app\nWORKSPACES=navigation,perception\nROBOT1_HOST=nuc@192.0.2.64\n';
  const { run, on, note } = await afterPush(env, { workspaces: ['navigation', 'perception'], stale: ['perception'], port: 5007 });
  const said = await note();
  assert.deepEqual(
    on('robot1').map((argv) => argv.slice(3)),
    [['pull-and-tag', `127.0.0.1:5007/app@${PUSHED}`, 'app:perception', 'app:perception.prev', `${BUILT.id} ${PUSHED}`]],
  );
  assert.deepEqual(on('laptop'), [], 'a dry run leaves the delta basis alone');
  assert.deepEqual(run.outcomes.get('perception'), { kind: 'deployed', id: BUILT.id, previous: digest('9') });
  assert.equal(run.outcomes.has('navigation'), false);
  assert.match(said ?? '', /^app:perception = \S+, previous kept as app:perception\.prev$/);
});

test('a config digest robot-deploy uploaded itself is one more ID the robot may know the image by', async () => {
  const { run, on, note } = await afterPush();
  run.configDigests.set('navigation', digest('c'));
  await note();
  assert.equal(on('robot1')[0]?.at(-1), `${BUILT.id} ${PUSHED} ${digest('c')}`);
});

test('a first deploy has no previous image: the outcome names none and the note claims none', async () => {
  const { run, note } = await afterPush(ROBOT_ENV, { answer: { stdout: `deployed ${digest('e')}\nprevious none\n` } });
  const said = await note();
  assert.deepEqual(run.outcomes.get('navigation'), { kind: 'deployed', id: BUILT.id, previous: undefined });
  assert.doesNotMatch(said ?? '', /previous/);
});

test('what the robot holds afterwards is remembered: the next compare (deploy --watch) finds it up to date without asking', async () => {
  const { ctx, run, log, note } = await afterPush();
  await note();
  assert.deepEqual(run.remote.images.get('app:navigation'), { id: digest('e'), digests: [PUSHED], fingerprint: BUILT.fingerprint });
  const before = log.length;
  run.newRound();
  await compareWithBuild.run(ctx, run, () => undefined);
  assert.deepEqual(run.stale, []);
  assert.equal(run.outcomes.get('navigation')?.kind, 'up-to-date');
  assert.equal(log.length, before, 'the compare asks nobody');
});

test("a failed pull names the image and the robot's last words, and nothing counts as deployed", async () => {
  const { run, note } = await afterPush(ROBOT_ENV, { answer: { code: 1, stderr: 'pulling\nmanifest unknown\n' } });
  await assert.rejects(note(), /^CommandError: pull and tag of app:navigation failed on robot1 \(exit 1\): pulling \| manifest unknown$/);
  assert.equal(run.outcomes.size, 0);
  assert.equal(run.remote.images.has('app:navigation'), false);
});

test('a stale workspace without a pushed digest is an internal error naming the push step; the robot is not asked', async () => {
  const { run, on, note } = await afterPush();
  run.digests.clear();
  await assert.rejects(note(), /internal error: navigation has no pushed digest for robot1; the "push" step makes it/);
  assert.deepEqual(on('robot1'), []);
});

test('nothing stale: nothing is pulled', async () => {
  const { on, note } = await afterPush(ROBOT_ENV, { stale: [] });
  assert.equal(await note(), '');
  assert.deepEqual(on('robot1'), []);
});

test("the pull's deadline grows with the image's size and includes the wait for the robot's lock", async () => {
  const env = 'IMAGE=app\nWORKSPACES=navigation,perception\nROBOT1_HOST=nuc@192.0.2.64\nROBOT_TIMEOUT_SECONDS=30\n';
  const { ctx, run, log, note } = await afterPush(env, {
    workspaces: ['navigation', 'perception'],
    built: (ws) => (ws === 'perception' ? { ...BUILT, sizeBytes: 200e6 } : BUILT),
  });
  const robot = new OptionsRunner(new RecordingRunner('robot1', log, scriptAnswers({ 'pull-and-tag': { stdout: DEPLOYED } })));
  run.link.connected(robot);
  assert.equal(ctx.config.link.robotTimeoutSeconds, 30);
  await note();
  // navigation has no known size: ROBOT_TIMEOUT_SECONDS and the lock's wait; 200 MB add 100 s at an SD card's 2 MB/s.
  assert.deepEqual(
    robot.calls.map((call) => call.options?.timeoutMs),
    [(30 + ROBOT_LOCK_WAIT_SECONDS) * 1000, (30 + 100 + ROBOT_LOCK_WAIT_SECONDS) * 1000],
  );
});

const BASIS_TAG = ['docker', 'image', 'tag', BUILT.localId, 'app:navigation.delta-basis'];

test('a real deploy tags the shipped image on the laptop as the next delta basis', async () => {
  const { on, note } = await afterPush(ROBOT_ENV, { recorded: false });
  await note();
  assert.deepEqual(on('laptop'), [BASIS_TAG]);
});

test("--no-delta is this deploy's: the basis is still kept for the next one", async () => {
  const { ctx, on, note } = await afterPush(ROBOT_ENV, { recorded: false, noDelta: true });
  assert.equal(ctx.noDelta, true);
  await note();
  assert.deepEqual(on('laptop'), [BASIS_TAG]);
});

test('DELTA=off, for all robots or one: no basis is kept, since no delta will read it', async () => {
  for (const setting of ['DELTA=off\n', 'ROBOT1_DELTA=off\n']) {
    const { run, on, note } = await afterPush(ROBOT_ENV + setting, { recorded: false });
    assert.equal(run.robot.delta, false, setting);
    await note();
    assert.deepEqual(on('laptop'), [], setting);
    assert.equal(run.outcomes.get('navigation')?.kind, 'deployed', setting);
  }
});

test("an image only in a docker-container builder's cache has no laptop ID to tag: no basis", async () => {
  const { on, note } = await afterPush(ROBOT_ENV, { recorded: false, built: () => ({ ...BUILT, localId: undefined }) });
  await note();
  assert.deepEqual(on('laptop'), []);
  assert.equal(on('robot1').length, 1);
});

test("a laptop basis tag that fails while the robot pulls is a note: the robot's deploy stands, nothing goes unhandled", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { ctx, run, note } = await afterPush(ROBOT_ENV, {
      recorded: false,
      laptop: (argv) => {
        if (argv.includes('tag')) throw new Error('spawn docker EAGAIN');
        return undefined;
      },
    });
    // The robot's pull takes a while, as a real one does: the laptop's tag has failed long before it ends.
    const robot = run.link.runner;
    run.link.connected({
      where: robot.where,
      run: async (argv, options) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return robot.run(argv, options);
      },
    });
    assert.match((await note()) ?? '', /^app:navigation = /);
    assert.equal(run.outcomes.get('navigation')?.kind, 'deployed');
    assert.match(ctx.notices.join('\n'), /could not tag app:navigation as the next delta's basis \(spawn docker EAGAIN\)/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
