// Ctrl-C and SIGTERM in every step: exit 130/143, no process, no port, no temporary tag, and the
// robot's IMAGE:WS either the old image or the complete new one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace, type SimRobot } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { alive, listening } from './support/processes.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, startScript, TEST_IMAGE, waitFor, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** SSH sessions still open on the robot (sshd forks one process per connection). */
function robotSessions(robot: SimRobot): string[] {
  const pids = execFileSync('ip', ['netns', 'pids', robot.netns], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return pids
    .map((pid) => {
      try {
        return execFileSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'utf8' }).replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => /sshd: rdsim/.test(cmd));
}

function laptopContainersRunning(command: string): string[] {
  return execFileSync('docker', ['ps', '--no-trunc', '--format', '{{.Command}}'], { encoding: 'utf8' })
    .split('\n')
    .filter((c) => c.includes(command));
}

describe('signals in every step', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1'] });
  const ref = `${TEST_IMAGE}:sig`;
  let envFile: string;
  let dir: string;
  let oldId: string | undefined;

  test('a deployed image to protect', async () => {
    dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'sig' });
    envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'sig');
    const first = await runScriptAsync('deploy.ts', ['sim1', '--env-file', envFile]);
    assert.equal(first.code, 0, first.output);
    oldId = imageIdOn(fleet().robot('sim1'), ref);
    assert.ok(oldId);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} during the build: exit ${EXIT[signal]}, the build is stopped, the robot is untouched`, async () => {
      const token = `${signal}-${Date.now()}`;
      writeFileSync(join(dir, 'sig', 'Dockerfile'), `FROM robot-deploy-sim/busybox:latest\nRUN echo ${token} && sleep 30\n`);
      const run = startScript('deploy.ts', ['sim1', '--env-file', envFile]);
      await waitFor('the build to run its RUN step', () => laptopContainersRunning(token).length > 0, 60_000);
      run.signal(signal);
      assert.equal(await run.exited, EXIT[signal], run.output());
      assert.equal(alive(run.pid), false);
      assert.deepEqual(
        execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
          .split('\n')
          .filter((p) => p.includes(`${dir}/sig/Dockerfile`)),
        [],
        'no docker build CLI left',
      );
      await waitFor('the build container to stop', () => laptopContainersRunning(token).length === 0, 15_000);
      assert.equal(imageIdOn(fleet().robot('sim1'), ref), oldId);
      await waitFor('the robot sessions to close', () => robotSessions(fleet().robot('sim1')).length === 0, 5_000);
    });
  }

  for (const step of ['registry', 'tunnel', 'push', 'pull & tag']) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      test(`${signal} in the "${step}" step: exit ${EXIT[signal]}, nothing left, IMAGE:WS unchanged`, async () => {
        await makeWorkspace(dir, { name: 'sig', top: `${step} ${signal}` });
        const run = startScript('deploy.ts', ['sim1', '--env-file', envFile], {}, step);
        await waitFor(`the hold before ${step}`, () => run.output().includes(`held before "${step}"`), 60_000);
        const port = Number(/tunnel: 127\.0\.0\.1:(\d+)/.exec(run.output())?.[1] ?? 0);
        if (port) assert.ok(listening(port), 'the tunnel is open while held');
        run.signal(signal);
        assert.equal(await run.exited, EXIT[signal], run.output());
        assert.equal(alive(run.pid), false, 'the deploy process is gone');
        if (port) assert.equal(listening(port), false, `no listener left on ${port}`);
        const tags = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], {
          encoding: 'utf8',
        });
        assert.doesNotMatch(tags, /^(127\.0\.0\.1|localhost):\d+\/rd-e2e:sig$/m, 'no temporary push tag left');
        await waitFor('the robot sessions to close', () => robotSessions(fleet().robot('sim1')).length === 0, 5_000);
        assert.equal(imageIdOn(fleet().robot('sim1'), ref), oldId, 'IMAGE:WS is still the old, complete image');
      });
    }
  }
  test('the tunnel refuses connections outside the push: another local process held before "push" gets nothing', async () => {
    await makeWorkspace(dir, { name: 'sig', top: 'gated tunnel' });
    const run = startScript('deploy.ts', ['sim1', '--env-file', envFile], {}, 'push');
    await waitFor('the hold before push', () => run.output().includes('held before "push"'), 60_000);
    const port = Number(/tunnel: 127\.0\.0\.1:(\d+)/.exec(run.output())?.[1] ?? 0);
    assert.ok(port && listening(port), 'the tunnel is open while held');
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /v2/ HTTP/1.0\r\n\r\n'));
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
      socket.setTimeout(5000, () => socket.destroy());
    });
    assert.equal(answer, '', 'the registry was not reachable through the idle tunnel');
    run.signal('SIGINT');
    assert.equal(await run.exited, 130, run.output());
  });
  test('prune waits for a deploy that is pushing to the same robot (the robot lock), then runs', async () => {
    await makeWorkspace(dir, { name: 'sig', top: 'locked push' });
    const deploy = startScript('deploy.ts', ['sim1', '--env-file', envFile], {}, 'push');
    await waitFor('the hold before push', () => deploy.output().includes('held before "push"'), 60_000);
    const prune = startScript('prune.ts', ['sim1', '--env-file', envFile]);
    let pruned = false;
    void prune.exited.then(() => (pruned = true));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.equal(pruned, false, `prune must not garbage-collect under a push:\n${prune.output()}`);
    deploy.signal('SIGINT');
    assert.equal(await deploy.exited, 130, deploy.output());
    assert.equal(await prune.exited, 0, prune.output());
    assert.match(prune.output(), /prune: removed \d+ image\(s\)/);
  });
});
