// The compare: after the laptop's builds, which workspaces the robot lacks (stale) and which it holds already.
// It asks neither side anything: the probe (check robot) told what the robot holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageIdentity } from '../../../../scripts/lib/commands/image-identity.ts';
import { parseProbe } from '../../../../scripts/lib/commands/robot-docker.ts';
import { RobotRun } from '../../../../scripts/lib/deploy/robot-run.ts';
import { compareWithBuild } from '../../../../scripts/lib/deploy/steps/compare.ts';
import type { BuiltImage } from '../../../../scripts/lib/image-build/build-job.ts';
import { digest, stepHarness } from '../../../support/deploy-harness.ts';

const THREE = 'IMAGE=app\nWORKSPACES=navigation,perception,planning\nROBOT1_HOST=nuc@192.0.2.64\n';
const WORKSPACES = ['navigation', 'perception', 'planning'];

/** The robot holds `onRobot` (ref → identity); every workspace's build has finished as `built`. */
async function compare(onRobot: Record<string, ImageIdentity>, built: (ws: string) => BuiltImage) {
  const harness = await stepHarness(THREE, { workspaces: WORKSPACES });
  const { run } = harness;
  run.remote = parseProbe('engine linux/amd64 27.0.0\nstatus=absent\n');
  for (const [ref, identity] of Object.entries(onRobot)) run.remote.images.set(ref, identity);
  for (const ws of run.workspaces) harness.built(ws, built(ws));
  const note = () => compareWithBuild.run(harness.ctx, run, () => undefined);
  return { ...harness, note };
}

const laptopImage = (ws: string): BuiltImage => ({ id: digest(ws === 'navigation' ? '1' : ws === 'perception' ? '2' : '3'), digests: [] });

test('a workspace the robot holds as the same image is up to date; the others are stale, in order; nobody is asked', async () => {
  const { run, log, note } = await compare(
    { 'app:navigation': { id: digest('1'), digests: [] }, 'app:perception': { id: digest('a'), digests: [] } },
    laptopImage,
  );
  assert.equal(await note(), 'up to date: navigation');
  assert.deepEqual(run.stale, ['perception', 'planning']);
  assert.deepEqual([...run.outcomes], [['navigation', { kind: 'up-to-date', id: digest('1') }]]);
  assert.deepEqual(log, []);
});

test('every workspace stale: the note lists what is to deploy', async () => {
  const { run, note } = await compare({}, laptopImage);
  assert.equal(await note(), 'to deploy: navigation, perception, planning');
  assert.equal(run.outcomes.size, 0);
});

test('the same image under another ID: known by a manifest digest the laptop pushed it as, or by its content fingerprint', async () => {
  const { run, note } = await compare(
    {
      'app:navigation': { id: digest('a'), digests: [digest('b')] },
      'app:perception': { id: digest('c'), digests: [], fingerprint: 'linux/amd64 2024 ["perception layers"]' },
      'app:planning': { id: digest('e'), digests: [] },
    },
    (ws) =>
      ws === 'navigation'
        ? { id: digest('1'), digests: [digest('b')] }
        : ws === 'perception'
          ? { id: digest('2'), digests: [], fingerprint: 'linux/amd64 2024 ["perception layers"]' }
          : { id: digest('3'), digests: [] },
  );
  await note();
  assert.deepEqual(run.stale, ['planning'], 'no fingerprint on either side is no match');
});

test('a second round (deploy --watch) starts over: a workspace is not listed stale twice', async () => {
  const { run, note } = await compare({ 'app:navigation': { id: digest('1'), digests: [] } }, laptopImage);
  await note();
  await note();
  assert.deepEqual(run.stale, ['perception', 'planning']);
});

test("it waits for the laptop's build: a failed build fails the compare with the build's error", async () => {
  const harness = await stepHarness();
  const { run, ctx } = harness;
  run.remote = parseProbe('engine linux/amd64 27.0.0\n');
  const compared = compareWithBuild.run(ctx, run, () => undefined);
  ctx.builds.get('linux/amd64 navigation')?.result.reject(new Error('build failed — no space left on device'));
  await assert.rejects(compared, /^Error: build failed — no space left on device$/);
  assert.deepEqual(run.stale, []);
});

test('without the probe it is an internal error naming the step that must come first', async () => {
  const { run, ctx, built } = await stepHarness();
  built('navigation', laptopImage('navigation'));
  await assert.rejects(
    compareWithBuild.run(ctx, run, () => undefined),
    /internal error: robot1 has no probe result yet; the "check robot" step makes it and must run first/,
  );
});

test('a workspace no build was planned for is an internal error naming it', async () => {
  const { run, ctx } = await stepHarness();
  const other = new RobotRun(run.robot, ['mapping'], run.link);
  other.remote = parseProbe('engine linux/amd64 27.0.0\n');
  await assert.rejects(
    compareWithBuild.run(ctx, other, () => undefined),
    /internal error: no build planned for mapping on linux\/amd64 \(robot1\)/,
  );
});
