// The core pipeline against a real robot: its own sshd, dockerd and registry in a network namespace.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GeneratedWorkspace, makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { blobUploads, imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

describe('deploy to one simulated robot', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1'] });
  let envFile: string;
  let workspace: GeneratedWorkspace;
  const ref = `${TEST_IMAGE}:nav`;
  const deploy = (...args: string[]) => runScriptAsync('deploy.ts', ['sim1', '--env-file', envFile, '--timings', ...args]);

  test('first deploy lands IMAGE:WS with the laptop image ID', async () => {
    const dir = makeProjectDir();
    workspace = await makeWorkspace(dir, { name: 'nav', baseSizeMiB: 20 });
    envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'nav');
    const robot = fleet().robot('sim1');
    const result = await deploy();
    assert.equal(result.code, 0, result.output);
    const laptopId = imageIdOn(undefined, ref);
    assert.match(laptopId ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(imageIdOn(robot, ref), laptopId, 'the robot holds the laptop image under IMAGE:WS');
    assert.match(result.output, /sim1\s+deployed\s+rd-e2e:nav/);
    assert.match(result.output, /first contact, pinned ssh-ed25519 host key SHA256:/);
    console.log(`# first deploy: ${(result.ms / 1000).toFixed(2)} s`);
  });

  test('a one-line change sends only the changed layer', async () => {
    const robot = fleet().robot('sim1');
    const oldId = imageIdOn(robot, ref);
    const uploadsBefore = blobUploads(robot);
    await workspace.setTop('top layer 2');
    const result = await deploy();
    assert.equal(result.code, 0, result.output);
    const newId = imageIdOn(undefined, ref);
    assert.notEqual(newId, oldId);
    assert.equal(imageIdOn(robot, ref), newId);
    assert.equal(imageIdOn(robot, `${ref}.prev`), oldId, 'the replaced image is kept for rollback');
    // One changed layer plus the new image config: two blobs; the 20 MiB base is not sent again.
    assert.equal(blobUploads(robot) - uploadsBefore, 2);
    // The summary's figure: a push slower than 0.5 s also prints a progress line "sent … of at most 23.0 MB through the tunnel".
    const sent = /deployed .*; ([\d.]+) (kB|MB) through the tunnel$/m.exec(result.output);
    assert.ok(sent, result.output);
    assert.ok(sent[2] === 'kB' || Number(sent[1]) < 1, `sent ${sent[0]}`);
    console.log(`# small-change redeploy: ${(result.ms / 1000).toFixed(2)} s, ${sent[0]}`);
  });

  test('a no-change redeploy ships nothing and says so', async () => {
    const robot = fleet().robot('sim1');
    const uploadsBefore = blobUploads(robot);
    const before = imageIdOn(robot, ref);
    const result = await deploy();
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /sim1\s+up to date\s+rd-e2e:nav [0-9a-f]{12} \(already there\)/);
    assert.match(result.output, /push: skipped, robot is up to date/);
    assert.equal(blobUploads(robot), uploadsBefore);
    assert.equal(imageIdOn(robot, ref), before);
    console.log(`# no-change redeploy: ${(result.ms / 1000).toFixed(2)} s`);
  });
});
