// Competition Wi-Fi: slow, lossy, high-latency and flapping links, and a robot whose docker hangs.
// Each robot has its own link: tc tbf for bandwidth, a delay line for latency and jitter, iptables for loss.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { listening, processesMatching } from './support/processes.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Notices a cut after 6 s of silence instead of 15, to keep the flapping tests short. */
const QUICK_ALIVE = ['ALIVE_INTERVAL_SECONDS=2', 'ALIVE_COUNT_MAX=3'];

describe('harsh links', simSuiteOptions(), () => {
  const fleet = useSimFleet({
    names: ['slow', 'lossy', 'flaky', 'bare', 'hung'],
    rates: { slow: '2mbit', lossy: '100mbit', flaky: '8mbit', bare: '8mbit' },
    links: { lossy: { rttMs: 50, jitterMs: 10, lossPercent: 1 } },
    withoutRegistry: ['bare'],
  });

  async function project(robot: string, ws: string, layersMiB: number[], extra: string[] = []) {
    const dir = makeProjectDir();
    const workspace = await makeWorkspace(dir, { name: ws, layersMiB });
    return { envFile: writeProjectEnv(dir, fleet(), [fleet().robot(robot)], ws, extra), workspace };
  }

  function assertDeployed(robot: string, ws: string, output: string): void {
    const ref = `${TEST_IMAGE}:${ws}`;
    assert.ok(imageIdOn(undefined, ref), `the laptop built ${ref}`);
    assert.equal(imageIdOn(fleet().robot(robot), ref), imageIdOn(undefined, ref), `${robot} holds the laptop's image\n${output}`);
  }

  test('2 Mbit/s, first deploy of three 4 MiB layers: finishes, and a busy link is never called lost', async () => {
    const { envFile } = await project('slow', 'slowlink', [4, 4, 4]);
    const result = await runScriptAsync('deploy.ts', ['slow', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
    assert.doesNotMatch(result.output, /lost|reconnect/i);
    assertDeployed('slow', 'slowlink', result.output);
    console.log(`# 2 Mbit/s first deploy of ~13 MB: ${(result.ms / 1000).toFixed(1)} s`);
  });

  test('50 ms RTT ± 10 ms with 1 % loss each way: a first deploy and a small change both land', async () => {
    const { envFile, workspace } = await project('lossy', 'lossylink', [4, 4, 4]);
    const first = await runScriptAsync('deploy.ts', ['lossy', '--env-file', envFile]);
    assert.equal(first.code, 0, first.output);
    assertDeployed('lossy', 'lossylink', first.output);
    await workspace.setTop('a small change');
    const change = await runScriptAsync('deploy.ts', ['lossy', '--env-file', envFile]);
    assert.equal(change.code, 0, change.output);
    assertDeployed('lossy', 'lossylink', change.output);
    console.log(`# 50 ms RTT, 1 % loss: first deploy ${(first.ms / 1000).toFixed(1)} s, small change ${(change.ms / 1000).toFixed(1)} s`);
  });

  test('two 10 s cuts 30 s apart, each within RECONNECT_SECONDS: both are survived and the image lands', async () => {
    const robot = fleet().robot('flaky');
    const { envFile } = await project('flaky', 'flap', [8, 8, 8, 8, 8, 8], [...QUICK_ALIVE, 'RECONNECT_SECONDS=20']);
    const run = startScript('deploy.ts', ['flaky', '--env-file', envFile]);
    await waitFor('the push to start', () => /❯ push/.test(run.output()), 120_000);
    for (const [index, wait] of [2000, 18_000].entries()) {
      await sleep(wait);
      await robot.cutLink();
      await sleep(10_000);
      await robot.restoreLink();
      await waitFor(`reconnect after cut ${index + 1}`, () => run.output().split('reconnected to flaky').length > index + 1, 30_000);
    }
    const code = await run.exited;
    assert.equal(code, 0, run.output());
    assert.equal(run.output().split('link to flaky lost during the push of flap').length - 1, 2, run.output());
    assertDeployed('flaky', 'flap', run.output());
  });

  test('a cut during the registry:2 hand-over: the deploy reconnects and carries it again', async () => {
    const robot = fleet().robot('bare');
    const { envFile } = await project('bare', 'handover', [1], [...QUICK_ALIVE, 'RECONNECT_SECONDS=30']);
    const run = startScript('deploy.ts', ['bare', '--env-file', envFile]);
    await waitFor('the hand-over to start', () => /carrying it over SSH/.test(run.output()), 60_000);
    await sleep(2000);
    await robot.cutLink();
    await sleep(10_000);
    await robot.restoreLink();
    let giveUp: NodeJS.Timeout | undefined;
    const hung = new Promise<string>((resolve) => (giveUp = setTimeout(resolve, 120_000, 'hung')));
    const code = await Promise.race([run.exited, hung]);
    clearTimeout(giveUp);
    assert.equal(code, 0, run.output());
    assert.match(run.output(), /link to bare lost during the registry:2 hand-over/);
    assert.match(run.output(), /reconnected to bare; resuming the registry:2 hand-over/);
    assertDeployed('bare', 'handover', run.output());
    assert.deepEqual(processesMatching('docker image save registry:2'), [], 'no docker save left running');
  });

  test('a robot whose docker hangs: the deploy fails within ROBOT_TIMEOUT_SECONDS, naming the step, and leaves nothing', async () => {
    const robot = fleet().robot('hung');
    const { envFile } = await project('hung', 'frozen', [], ['ROBOT_TIMEOUT_SECONDS=5']);
    const pid = robot.dockerdPid();
    assert.ok(pid, 'the robot dockerd runs');
    process.kill(pid, 'SIGSTOP');
    try {
      const result = await runScriptAsync('deploy.ts', ['hung', '--env-file', envFile]);
      assert.equal(result.code, 1, result.output);
      assert.match(
        result.output,
        /checking docker on hung: hung gave no result within 5 s; the robot's docker may be hung .*ROBOT_TIMEOUT_SECONDS/,
      );
      assert.ok(result.ms < 20_000, `failed after ${(result.ms / 1000).toFixed(1)} s`);
      assert.equal(listening(5000), false, 'no tunnel left listening');
      await sleep(6000);
      assert.deepEqual(processesMatching('docker version --format engine'), [], 'the robot killed its hung docker CLI (timeout -k 5)');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
