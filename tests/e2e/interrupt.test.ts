// Ctrl-C and SIGTERM in the middle of a push over a slow link: nothing left behind, robot intact.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { alive, listening, processesMatching } from './support/processes.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

async function interruptMidPush(
  envFile: string,
  signal: NodeJS.Signals,
): Promise<{ code: number; port: number; output: string; pid: number }> {
  const run = startScript('deploy.ts', ['sim1', '--env-file', envFile]);
  await waitFor('the push to start', () => /❯ push/.test(run.output()), 120_000);
  const port = Number(/tunnel: 127\.0\.0\.1:(\d+)/.exec(run.output())?.[1]);
  assert.ok(listening(port), `the tunnel listens on ${port} during the push`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const sentAt = Date.now();
  run.signal(signal);
  const code = await run.exited;
  assert.ok(Date.now() - sentAt < 8000, 'stops within seconds');
  return { code, port, output: run.output(), pid: run.pid };
}

function assertNothingLeft(pid: number, port: number, pushRef: string): void {
  assert.equal(listening(port), false, `no listener left on ${port}`);
  assert.deepEqual(processesMatching(pushRef), [], 'no docker push left running');
  assert.equal(alive(pid), false, 'the deploy process is gone');
  const tags = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' });
  assert.doesNotMatch(tags, new RegExp(`^127\\.0\\.0\\.1:${port}/${TEST_IMAGE}:slow$`, 'm'), 'no temporary push tag left');
}

describe('interrupting a deploy over a 20 Mbit/s link', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1'], rate: '20mbit' });
  const ref = `${TEST_IMAGE}:slow`;

  test('Ctrl-C during the first push: exit 130, no process, no port, nothing tagged on the robot', async () => {
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'slow', baseSizeMiB: 40 });
    const envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'slow');
    const { code, port, output, pid } = await interruptMidPush(envFile, 'SIGINT');
    assert.equal(code, 130, output);
    assert.match(output, /Interrupted \(Ctrl-C\): closed \d+ open resource\(s\)\./);
    assertNothingLeft(pid, port, `127.0.0.1:${port}/${TEST_IMAGE}`);
    assert.equal(imageIdOn(fleet().robot('sim1'), ref), undefined, 'no half-tagged image on the robot');
  });

  test('SIGTERM during a redeploy push: exit 143, the robot keeps the old image', async () => {
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'slow', baseSizeMiB: 4 });
    const envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'slow');
    const first = await runScriptAsync('deploy.ts', ['sim1', '--env-file', envFile]);
    assert.equal(first.code, 0, first.output);
    const oldId = imageIdOn(fleet().robot('sim1'), ref);
    assert.ok(oldId);
    await makeWorkspace(dir, { name: 'slow', baseSizeMiB: 40 });
    const { code, port, output, pid } = await interruptMidPush(envFile, 'SIGTERM');
    assert.equal(code, 143, output);
    assertNothingLeft(pid, port, `127.0.0.1:${port}/${TEST_IMAGE}`);
    assert.equal(imageIdOn(fleet().robot('sim1'), ref), oldId, 'IMAGE:WS is still the complete old image');
  });
});
