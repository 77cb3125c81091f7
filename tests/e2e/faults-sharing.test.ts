// Teammates and ports: two deploys to one robot at once, port 5000 taken on the laptop or the robot.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { blobUploads, dockerOn, imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

describe('sharing robots and ports', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1', 'sim2', 'sim3'] });

  test('two deploys to one fresh robot at the same moment: both succeed, IMAGE:WS is one complete image of the two, the registry is never restarted', async () => {
    const robot = fleet().robot('sim1');
    const projects = await Promise.all(
      ['alice', 'bob'].map(async (who) => {
        const dir = makeProjectDir();
        const ws = await makeWorkspace(dir, { name: 'team', top: `pushed by ${who}` });
        return { who, ws, envFile: writeProjectEnv(dir, fleet(), [robot], 'team') };
      }),
    );
    const results = await Promise.all(projects.map((p) => runScriptAsync('deploy.ts', ['sim1', '--env-file', p.envFile])));
    for (const result of results) assert.equal(result.code, 0, result.output);
    const built = results.map((r) => /pull & tag: rd-e2e:team = ([0-9a-f]{12})/.exec(r.output)?.[1]);
    assert.equal(new Set(built).size, 2, 'the two deploys shipped different images');
    const current = imageIdOn(robot, `${TEST_IMAGE}:team`)?.slice(7, 19);
    const previous = imageIdOn(robot, `${TEST_IMAGE}:team.prev`)?.slice(7, 19);
    assert.ok(current && built.includes(current), `IMAGE:WS is one of the two (${current})`);
    // When both pulls finish together neither saw the other's tag yet, so .prev may be empty; never a third image.
    assert.ok(
      previous === undefined || (built.includes(previous) && previous !== current),
      `.prev is empty or the other one (${previous})`,
    );
    const state = dockerOn(robot, ['container', 'inspect', '--format', '{{.State.Running}} {{.RestartCount}}', 'robot-deploy-registry']);
    assert.equal(state, 'true 0', 'the registry kept running, never restarted');
    assert.equal(
      dockerOn(robot, ['container', 'ls', '-a', '--filter', 'name=robot-deploy-registry', '--format', '{{.Names}}']),
      'robot-deploy-registry',
    );
    assert.ok(blobUploads(robot) >= 4, 'both pushes reached the one registry');
  });

  test('port 5000 taken on the laptop: the tunnel moves to another port and the deploy works', async () => {
    const squatter: Server = createServer();
    const held = await new Promise<boolean>((resolve) => {
      squatter.once('error', () => resolve(false));
      squatter.listen(5000, '127.0.0.1', () => resolve(true));
    });
    try {
      const dir = makeProjectDir();
      await makeWorkspace(dir, { name: 'ports' });
      const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim2')], 'ports');
      const result = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile]);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /tunnel: 127\.0\.0\.1:(?!5000\b)\d+ \(5000 was taken\)/);
      assert.equal(imageIdOn(fleet().robot('sim2'), `${TEST_IMAGE}:ports`), imageIdOn(undefined, `${TEST_IMAGE}:ports`));
      if (!held) console.log('# 5000 was already taken by another process here');
    } finally {
      squatter.close();
    }
  });

  test('port 5000 taken on the robot by something else: a clear message naming REGISTRY_PORT; a free port then works', async () => {
    const robot = fleet().robot('sim3');
    // Another team's service on the port: any container publishing 127.0.0.1:5000 (registry:2 is the image the robot has).
    dockerOn(robot, ['run', '-d', '--name', 'squatter', '-p', '127.0.0.1:5000:5000', 'registry:2']);
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'ports' });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'ports');
    const refused = await runScriptAsync('deploy.ts', ['sim3', '--env-file', envFile]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(
      refused.output,
      /port 5000 on sim3's loopback is taken by something that is not robot-deploy's registry\. Set SIM3_REGISTRY_PORT=<free port> \(e\.g\. 5001\) in robots\.env/,
    );
    assert.equal(imageIdOn(robot, `${TEST_IMAGE}:ports`), undefined, 'nothing was tagged');
    assert.equal(
      dockerOn(robot, ['container', 'ls', '-a', '--filter', 'name=robot-deploy-registry', '-q']),
      '',
      'no half-created registry container is left',
    );
    const moved = writeProjectEnv(dir, fleet(), [robot], 'ports', ['SIM3_REGISTRY_PORT=5001']);
    const result = await runScriptAsync('deploy.ts', ['sim3', '--env-file', moved]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /registry created on sim3's 127\.0\.0\.1:5001/);
    assert.equal(
      execFileSync('docker', ['container', 'inspect', '--format', '{{.State.Running}}', 'squatter'], {
        env: robot.dockerEnv(),
        encoding: 'utf8',
      }).trim(),
      'true',
      'the other service was left alone',
    );
  });
  test("a registry published with -p (older robot-deploy, the post) is recreated on the robot's own loopback, layers kept", async () => {
    const robot = fleet().robot('sim2');
    dockerOn(robot, ['container', 'rm', '--force', 'robot-deploy-registry']);
    dockerOn(robot, [
      'run',
      '-d',
      '--name',
      'robot-deploy-registry',
      '--restart',
      'always',
      '-p',
      '127.0.0.1:5000:5000',
      '-v',
      'robot-deploy-registry:/var/lib/registry',
      '-e',
      'REGISTRY_STORAGE_DELETE_ENABLED=true',
      'registry:2',
    ]);
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'legacy', baseSizeMiB: 4 });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'legacy');
    const result = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
    assert.match(
      result.output,
      /sim2: the registry was published with -p, which Docker before 28 opens to the LAN \(moby\/moby#45610\); recreated on the robot's own 127\.0\.0\.1:5000/,
    );
    assert.equal(
      dockerOn(robot, [
        'container',
        'inspect',
        '--format',
        '{{.HostConfig.NetworkMode}} {{len .HostConfig.PortBindings}}',
        'robot-deploy-registry',
      ]),
      'host 0',
    );
    // Listening in the robot's namespace on 127.0.0.1:5000 only (0100007F:1388), nothing on the robot's LAN address.
    const sockets = execFileSync('ip', ['netns', 'exec', robot.netns, 'cat', '/proc/net/tcp'], { encoding: 'utf8' });
    assert.match(sockets, /^\s*\d+: 0100007F:1388 00000000:0000 0A /m);
    assert.doesNotMatch(sockets, /^\s*\d+: (?!0100007F)[0-9A-F]{8}:1388 00000000:0000 0A /m, 'no other address listens on 5000');
    const uploads = blobUploads(robot);
    await makeWorkspace(dir, { name: 'legacy', baseSizeMiB: 4 }); // a new base layer; the old one stays in the volume
    const again = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile]);
    assert.equal(again.code, 0, again.output);
    assert.doesNotMatch(again.output, /recreated/);
    assert.ok(blobUploads(robot) > uploads, 'the recreated registry takes pushes');
    assert.equal(imageIdOn(robot, `${TEST_IMAGE}:legacy`), imageIdOn(undefined, `${TEST_IMAGE}:legacy`));
  });
});
