// The robot's lock: in a directory no other account of the robot can plant, hold or split, and freed
// when the laptop holding it vanishes (suspended, or out of Wi-Fi range) without closing its session.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { robotFiles } from '../../scripts/dev/sim/state.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { TEST_SIM_SCOPE, useSimFleet } from './support/sim-fleet.ts';

const ids = (what: '-u' | '-g'): number => Number(execFileSync('id', [what, 'nobody'], { encoding: 'utf8' }).trim());

/** A command run by another account of the robot (nobody), given the robot's lock directory as $1. */
function asNobody(script: string, lockDir: string) {
  const result = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', script, 'sh', lockDir], {
    encoding: 'utf8',
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the robot's lock", simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['lockbot'] });
  const ref = `${TEST_IMAGE}:lock`;
  let envFile: string;
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  const files = () => robotFiles(TEST_SIM_SCOPE, 'lockbot');

  test("another account's files at the old /tmp lock paths stop nothing, and it can neither plant nor hold the lock", async () => {
    const robot = fleet().robot('lockbot');
    // A 0600 file there made dash end every robot script (exit 2); a FIFO made the registry step wait for ever.
    const squat = join(files().tmp, 'robot-deploy.lock');
    writeFileSync(squat, '', { mode: 0o600 });
    chownSync(squat, ids('-u'), ids('-g'));
    const fifo = join(files().tmp, 'robot-deploy-registry.lock');
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    chownSync(fifo, ids('-u'), ids('-g'));
    const dir = makeProjectDir();
    ws = await makeWorkspace(dir, { name: 'lock', top: 'first\n' });
    envFile = writeProjectEnv(dir, fleet(), [robot], 'lock');
    for (const top of ['first\n', 'second\n']) {
      await ws.setTop(top);
      const deployed = await runScriptAsync('deploy.ts', ['lockbot', '--env-file', envFile]);
      assert.equal(deployed.code, 0, deployed.output);
    }
    const latest = imageIdOn(robot, ref);
    const rollback = await runScriptAsync('rollback.ts', ['lockbot', '--env-file', envFile]);
    assert.equal(rollback.code, 0, rollback.output);
    assert.notEqual(imageIdOn(robot, ref), latest, 'rolled back');
    const prune = await runScriptAsync('prune.ts', ['lockbot', '--env-file', envFile]);
    assert.equal(prune.code, 0, prune.output);

    const hold = asNobody('flock -n "$1/robot-deploy.lock" true', files().lockDir);
    assert.notEqual(hold.code, 0, 'another account cannot open the lock to hold it');
    assert.match(hold.output, /Permission denied/);
    const plant = asNobody(': > "$1/robot-deploy-delta.lock"', files().lockDir);
    assert.notEqual(plant.code, 0, 'nor create a lock file of its own there');
  });

  test('a laptop that vanishes while it holds the lock loses it within 90 s: a rollback waiting for it goes through', async () => {
    const robot = fleet().robot('lockbot');
    const before = imageIdOn(robot, ref);
    await ws.setTop('third\n');
    // A deploy holds the lock shared from the registry step; parked before the pull, then frozen like a
    // laptop that went to sleep: its TCP connection stays open, and sshd sees nothing wrong for hours.
    const held = startScript('deploy.ts', ['lockbot', '--env-file', envFile], {}, 'pull & tag');
    await waitFor('the deploy to hold the lock', () => /held before "pull & tag"/.test(held.output()), 120_000);
    process.kill(held.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const rollback = await runScriptAsync('rollback.ts', ['lockbot', '--env-file', envFile]);
      const seconds = (Date.now() - started) / 1000;
      console.log(`# the vanished laptop's lock was free after ${seconds.toFixed(0)} s`);
      assert.equal(rollback.code, 0, rollback.output);
      assert.ok(seconds < 110, `freed within the 90 s bound (plus a heartbeat), not after ${seconds} s`);
      assert.notEqual(imageIdOn(robot, ref), before, 'the rollback ran');
    } finally {
      process.kill(held.pid, 'SIGCONT');
      held.signal('SIGINT');
      await held.exited;
    }
  });

  test('a lock directory open to other accounts is refused with the command that fixes it; nothing is deployed', async () => {
    const robot = fleet().robot('lockbot');
    const before = imageIdOn(robot, ref);
    await ws.setTop('fourth\n');
    chmodSync(files().lockDir, 0o2777);
    try {
      const refused = await runScriptAsync('deploy.ts', ['lockbot', '--env-file', envFile]);
      assert.equal(refused.code, 1, refused.output);
      assert.match(
        refused.output,
        /lockbot: \/var\/lib\/robot-deploy \(mode 2777\) is open to other accounts, which could hold the lock; run on the robot: sudo chmod o= \/var\/lib\/robot-deploy/,
      );
      assert.equal(imageIdOn(robot, ref), before);
    } finally {
      chmodSync(files().lockDir, 0o2770);
    }
  });
});
