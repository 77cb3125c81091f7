// The connect step: one SSH connection per robot and its host key checked against the pinned one; a dry run
// connects to nothing and records the robot's commands under its name. The SSH handshake itself is the link's
// (link/robot-link.ts, ssh/connect.ts): here the link answers as a handshake would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probe } from '../../../../scripts/lib/commands/robot-docker.ts';
import { RobotRun } from '../../../../scripts/lib/deploy/robot-run.ts';
import { checkRobot } from '../../../../scripts/lib/deploy/steps/check-robot.ts';
import { connect } from '../../../../scripts/lib/deploy/steps/connect.ts';
import { RobotLink } from '../../../../scripts/lib/link/robot-link.ts';
import type { RobotConnection } from '../../../../scripts/lib/ssh/connect.ts';
import type { HostKeyVerdict } from '../../../../scripts/lib/ssh/host-keys.ts';
import { dryRunDeploy, ROBOT_ENV, stepHarness } from '../../../support/deploy-harness.ts';

const TWO_ROBOTS = `${ROBOT_ENV}ROBOT1_PLATFORM=linux/arm64\nROBOT2_HOST=nuc@192.0.2.65\n`;

test("a dry run connects to nothing: each robot's commands are recorded under its own name, answered as its platform's engine", async () => {
  const { ctx, log, names } = await dryRunDeploy(TWO_ROBOTS, [connect, checkRobot]);
  assert.deepEqual(
    ctx.robots.map((run) => [run.robot.name, run.error, run.remote.platform, run.link.isOpen()]),
    [
      ['robot1', undefined, 'linux/arm64', false],
      ['robot2', undefined, 'linux/amd64', false],
    ],
  );
  assert.deepEqual(names('robot1'), ['probe']);
  assert.deepEqual(names('robot2'), ['probe']);
  assert.equal(log.length, 2, 'the connect step itself records nothing');
});

test("the dry run's robot runner records into the run's log: later commands show in the printed plan", async () => {
  const { ctx, run, log } = await stepHarness();
  log.length = 0;
  await connect.dryRun?.(ctx, run);
  const answer = await run.link.runner.run(probe(['app:navigation']));
  assert.match(answer.stdout, /^engine linux\/amd64 /);
  assert.deepEqual(
    log.map((entry) => entry.where),
    ['robot1'],
  );
});

/** A link whose handshake gives `verdict`, or fails with it. */
class HandshakeLink extends RobotLink {
  constructor(
    base: RobotLink,
    private readonly verdict: HostKeyVerdict | Error,
  ) {
    super(base.robot, base.deps);
  }
  override async open(): Promise<RobotConnection | undefined> {
    if (this.verdict instanceof Error) throw this.verdict;
    return { hostKey: this.verdict } as RobotConnection;
  }
}

async function connecting(verdict: HostKeyVerdict | Error) {
  const { ctx, run: base } = await stepHarness();
  const run = new RobotRun(base.robot, base.workspaces, new HandshakeLink(base.link, verdict));
  const shown: string[] = [];
  const note = () => connect.run(ctx, run, (text) => shown.push(text));
  return { ctx, run, shown, note };
}

test('first contact: the key is pinned, and a notice names its fingerprint and the file it went into', async () => {
  const { ctx, shown, note } = await connecting({ kind: 'first-contact', type: 'ssh-ed25519', fingerprint: 'SHA256:q9Zb' });
  assert.equal(await note(), undefined);
  const notice = `robot1: first contact, pinned ssh-ed25519 host key SHA256:q9Zb in ${ctx.config.knownHostsFile}`;
  assert.deepEqual(ctx.notices, [notice]);
  assert.deepEqual(shown, [notice]);
});

test('a key that matches the pinned one is shown as such, with no notice', async () => {
  const { ctx, shown, note } = await connecting({ kind: 'match', fingerprint: 'SHA256:q9Zb' });
  assert.equal(await note(), undefined);
  assert.deepEqual(ctx.notices, []);
  assert.deepEqual(shown, ['nuc@192.0.2.64 host key SHA256:q9Zb matches the pinned one']);
});

test("a connection that fails fails the step with the link's error", async () => {
  const refused = new Error('robot1 (nuc@192.0.2.64:22) refused the connection');
  const { ctx, note } = await connecting(refused);
  await assert.rejects(note(), refused);
  assert.deepEqual(ctx.notices, []);
});

test('deploy --watch: a connection still open is kept, not made again', async () => {
  const { ctx, run } = await stepHarness();
  const open = { closed: new Promise(() => undefined), isClosed: () => false, close: () => undefined } as unknown as RobotConnection;
  run.link.connected(run.link.runner, open);
  assert.equal(await connect.run(ctx, run, () => undefined), 'kept open');
  assert.equal(run.link.isOpen(), true);
});
