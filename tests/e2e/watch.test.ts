// deploy --watch against a real robot: warm connection and tunnel, a redeploy per save, a dropped
// link reopened between saves, and Ctrl-C leaving nothing behind.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { alive, listening } from './support/processes.ts';
import { imageIdOn, makeProjectDir, type RunningScript, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const REDEPLOYED = /^\d\d:\d\d:\d\d sim1 {2}deployed rd-e2e:nav ([0-9a-f]{12}) ([\d.]+) s after the save \((\d+) files? changed/gm;

function redeploys(run: RunningScript): { id: string; seconds: number }[] {
  return [...run.output().matchAll(REDEPLOYED)].map((m) => ({ id: m[1], seconds: Number(m[2]) }));
}

describe('deploy --watch on one simulated robot', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1'] });
  const ref = `${TEST_IMAGE}:nav`;

  test('each save lands the new image on the robot over one warm connection; a drop is reopened; Ctrl-C exits 130 and leaves nothing', async () => {
    const dir = makeProjectDir();
    const workspace = await makeWorkspace(dir, { name: 'nav', baseSizeMiB: 8 });
    writeFileSync(join(dir, '.dockerignore'), 'nav/notes.md\n');
    // A lost link is noticed after 2 s of silence instead of 15 s.
    const envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'nav', ['ALIVE_INTERVAL_SECONDS=1', 'ALIVE_COUNT_MAX=2']);
    const robot = fleet().robot('sim1');
    const run = startScript('deploy.ts', ['sim1', '--env-file', envFile, '--watch', '--timings']);
    try {
      await waitFor('the first deploy and the watch', () => /watching .* for changes/.test(run.output()), 120_000);
      assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref), run.output());
      const port = Number(/127\.0\.0\.1:(\d+) → sim1/.exec(run.output())?.[1]);
      assert.ok(listening(port), `the tunnel stays open between deploys (${port})\n${run.output()}`);

      for (const [index, content] of ['watch 1', 'watch 2'].entries()) {
        const before = imageIdOn(robot, ref);
        await workspace.setTop(content);
        await waitFor(`redeploy ${index + 1}`, () => redeploys(run).length === index + 1, 60_000);
        const line = redeploys(run)[index];
        const laptopId = imageIdOn(undefined, ref)!;
        assert.notEqual(laptopId, before);
        assert.equal(imageIdOn(robot, ref), laptopId, `the robot holds the new image under ${ref}`);
        assert.equal(line.id, laptopId.slice(7, 19));
        assert.equal(imageIdOn(robot, `${ref}.prev`), before, 'the replaced image is kept for rollback');
        console.log(`# watch redeploy ${index + 1}: ${line.seconds.toFixed(2)} s from the save`);
      }
      assert.doesNotMatch(run.output(), /reconnect/, 'the connection stayed up');

      // What .dockerignore excludes is not part of the build: saving it deploys nothing.
      writeFileSync(join(dir, 'nav', 'notes.md'), 'not in the image\n');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(redeploys(run).length, 2, run.output());

      await robot.cutLink();
      await waitFor('the drop to be noticed', () => /sim1 {2}link lost/.test(run.output()), 30_000);
      await robot.restoreLink();
      await waitFor('the reconnect', () => /sim1 {2}reconnected; tunnel 127\.0\.0\.1:\d+ open/.test(run.output()), 60_000);
      await workspace.setTop('watch 3');
      await waitFor('redeploy 3', () => redeploys(run).length === 3, 60_000);
      assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref));
      const reopened = Number(/reconnected; tunnel 127\.0\.0\.1:(\d+) open/.exec(run.output())?.[1]);

      run.signal('SIGINT');
      assert.equal(await run.exited, 130, run.output());
      assert.match(run.output(), /Interrupted \(Ctrl-C\): closed \d+ open resource\(s\)\./);
      assert.equal(alive(run.pid), false, 'the deploy process is gone');
      for (const p of new Set([port, reopened])) assert.equal(listening(p), false, `no listener left on ${p}`);
    } finally {
      if (alive(run.pid)) run.signal('SIGKILL');
    }
  });
});
