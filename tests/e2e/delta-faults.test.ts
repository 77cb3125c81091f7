// The delta's rebuild on the robot when it meets another one (a retry after a cut whose first run is
// still going, or --watch beside a manual deploy), and on a robot short of disk space.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readPidFile } from '../../scripts/dev/sim/processes.ts';
import { robotFiles } from '../../scripts/dev/sim/state.ts';
import { makeInstallTree, ref, WS } from './support/install-tree.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { TEST_SIM_SCOPE, useSimFleet } from './support/sim-fleet.ts';

/** Processes in the robot's network namespace whose command line names the delta's rebuild script. */
function rebuildsOn(netns: string): number[] {
  const inode = statSync(`/var/run/netns/${netns}`).ino;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('delta-apply') && readlinkSync(`/proc/${pid}/ns/net`) === `net:[${inode}]`
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

const signal = (pids: number[], name: NodeJS.Signals) => {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone meanwhile
    }
  }
};

describe('delta rebuilds that meet each other, and a robot short of space', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['dfault'] });
  let envFile: string;
  let tree: ReturnType<typeof makeInstallTree>;
  const files = () => robotFiles(TEST_SIM_SCOPE, 'dfault');
  const workRoot = () => join(files().home, '.cache', 'robot-deploy', 'delta');
  const leftovers = () => (existsSync(workRoot()) ? readdirSync(workRoot()) : []);
  const deploy = () => startScript('deploy.ts', ['dfault', '--env-file', envFile]);
  const landed = () => assert.equal(imageIdOn(fleet().robot('dfault'), ref), imageIdOn(undefined, ref), 'the robot holds the laptop image');

  test('first deploy', async () => {
    const dir = makeProjectDir();
    tree = makeInstallTree(dir, 40);
    envFile = writeProjectEnv(dir, fleet(), fleet().robots, WS);
    appendFileSync(envFile, 'DELTA=on\n');
    const result = await runScriptAsync('deploy.ts', ['dfault', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
  });

  test('two deploys of one rebuilt layer, whose rebuilds meet on the robot: the second waits, both land by delta, nothing is left', async () => {
    const { netns } = fleet().robot('dfault');
    // The layers the robot's registry has committed: a rebuild caught too late (past its commit) cannot meet another.
    const layersDir = join(
      files().data,
      'volumes',
      'robot-deploy-registry',
      '_data',
      'docker',
      'registry',
      'v2',
      'repositories',
      TEST_IMAGE,
      '_layers',
      'sha256',
    );
    const committed = () => (existsSync(layersDir) ? readdirSync(layersDir).length : 0);
    for (let attempt = 1; ; attempt += 1) {
      const before = committed();
      tree.rewrite([`lib0${attempt}.so`, `lib1${attempt}.so`, `lib2${attempt}.so`]);
      // The first rebuild is held as soon as it is seen (as a run cut off from its laptop lives on), the
      // second deploy of the same layer starts its own, and the first goes on as the second begins.
      const first = deploy();
      await waitFor('the first rebuild on the robot', () => rebuildsOn(netns).length > 0 || first.output().includes('pull & tag'), 120_000);
      const held = rebuildsOn(netns);
      assert.ok(held.length, `the first rebuild was caught running: ${first.output()}`);
      signal(held, 'SIGSTOP');
      // A docker cp it had started finishes on its own; give it the moment it takes.
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (committed() > before && attempt < 3) {
        // Caught in its last instant, after the layer went into the registry: the second would find it there.
        signal(held, 'SIGCONT');
        assert.equal(await first.exited, 0, first.output());
        console.log(`# attempt ${attempt}: the first rebuild was caught after its commit; again with other files`);
        continue;
      }
      let second: ReturnType<typeof deploy> | undefined;
      try {
        second = deploy();
        const started = second;
        await waitFor(
          'the second rebuild on the robot',
          () => rebuildsOn(netns).some((pid) => !held.includes(pid)) || started.output().includes('pull & tag'),
          120_000,
        );
      } finally {
        signal(held, 'SIGCONT');
      }
      const results = await Promise.all([first, second].map(async (run) => ({ code: await run?.exited, output: run?.output() ?? '' })));
      for (const result of results) {
        assert.equal(result.code, 0, result.output);
        assert.doesNotMatch(result.output, /delta failed/, 'neither fell back to a push');
        assert.match(result.output, /colcon: delta, 1 new layer/);
      }
      break;
    }
    landed();
    assert.deepEqual(leftovers(), [], 'no work files are left on the robot');
  });

  test('a robot short of space: no byte of the delta is sent, the message names the robot, the space and what to run; the push follows', async () => {
    const sshd = readPidFile(files().sshdPid);
    assert.ok(sshd, 'the robot sshd runs');
    const uid = Number(execFileSync('id', ['-u', fleet().user], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', fleet().user], { encoding: 'utf8' }));
    const home = execFileSync('getent', ['passwd', fleet().user], { encoding: 'utf8' }).split(':')[5];
    const cache = join(files().home, '.cache');
    mkdirSync(cache, { recursive: true });
    chownSync(cache, uid, gid);
    // A 4 MB disk under the robot user's ~/.cache, in the namespace its SSH sessions start in; the layer is 8 MB.
    const inRobot = (...argv: string[]) => execFileSync('nsenter', ['-t', String(sshd), '-m', '--', ...argv]);
    inRobot('mount', '-t', 'tmpfs', '-o', `size=4m,mode=0755,uid=${uid},gid=${gid}`, 'rd-e2e-small', `${home}/.cache`);
    try {
      tree.rewrite(['lib05.so', 'lib06.so']);
      const run = deploy();
      const code = await run.exited;
      assert.equal(code, 0, run.output());
      assert.match(
        run.output(),
        /colcon: delta failed \(dfault has [\d.]+ (kB|MB) free on \S+ \(for \S+\), and rebuilding layer [0-9a-f]{12} there needs about [\d.]+ MB: free space on dfault \(npx tsx scripts\/prune\.ts dfault removes old images and delta leftovers\), or deploy with --no-delta\); sending the layer whole instead/,
      );
      landed();
      const onSmallDisk = execFileSync('nsenter', ['-t', String(sshd), '-m', '--', 'find', `${home}/.cache`, '-type', 'f'], {
        encoding: 'utf8',
      });
      assert.equal(onSmallDisk.trim(), '', 'nothing was sent to, or left on, the full disk');
    } finally {
      inRobot('umount', `${home}/.cache`);
    }
  });
});
