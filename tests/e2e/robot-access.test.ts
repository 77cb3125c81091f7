// Robots as they are set up in practice: an SSH user outside the docker group who may run
// `sudo -n docker`, and a docker CLI that is not on the non-interactive SSH PATH (snap's /snap/bin).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { makeWorkspace, type SimRobot } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

describe('robots whose docker needs sudo, or is off the SSH PATH', simSuiteOptions(), () => {
  const fleet = useSimFleet({
    names: ['sudobot', 'offpath'],
    engines: { offpath: 'docker26' },
    dockerAccess: { sudobot: 'sudo', offpath: 'off-path' },
  });
  const ref = `${TEST_IMAGE}:acc`;

  /** What the robot's user gets from `docker version` in a plain SSH session, without robot-deploy's help. */
  function plainSession(robot: SimRobot): { code: number; output: string } {
    const ssh = spawnSync(
      'ssh',
      [
        '-i',
        fleet().keyPath,
        '-o',
        `UserKnownHostsFile=${fleet().knownHostsPath}`,
        '-o',
        'BatchMode=yes',
        `rdsim@${robot.address}`,
        'docker',
        'version',
      ],
      { encoding: 'utf8' },
    );
    return { code: ssh.status ?? -1, output: `${ssh.stdout}${ssh.stderr}` };
  }

  test('sudo -n docker: deploy, status and doctor work for a user outside the docker group', async () => {
    const robot = fleet().robot('sudobot');
    const denied = plainSession(robot);
    assert.notEqual(denied.code, 0, 'the user cannot use docker.sock directly');
    assert.match(denied.output, /permission denied/i);
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'acc' });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'acc');
    const result = await runScriptAsync('deploy.ts', ['sudobot', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
    assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref));
    const status = await runScriptAsync('status.ts', ['sudobot', '--env-file', envFile]);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, /^sudobot: registry running;/m);
    const doctor = await runScriptAsync('doctor.ts', ['sudobot', '--env-file', envFile]);
    assert.match(doctor.output, /^✔ sudobot\s+docker usable\s+Docker \S+ linux\/amd64 \(\/usr\/bin\/docker, through sudo -n\)$/m);
  });

  test('docker off the SSH PATH: a clear error naming <NAME>_DOCKER, then a deploy once it is set', async () => {
    const robot = fleet().robot('offpath');
    assert.equal(plainSession(robot).code, 127, 'no docker on the session PATH');
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'acc' });
    const missing = await runScriptAsync('deploy.ts', ['offpath', '--env-file', writeProjectEnv(dir, fleet(), [robot], 'acc')]);
    assert.notEqual(missing.code, 0, missing.output);
    assert.match(
      missing.output,
      /no docker CLI here \(searched PATH=\S+ and \/snap\/bin\/docker, \/usr\/local\/bin\/docker, \/usr\/bin\/docker\): install Docker, or set OFFPATH_DOCKER=\/path\/to\/docker in robots.env/,
    );
    assert.equal(imageIdOn(robot, ref), undefined, 'nothing was deployed');

    const envFile = writeProjectEnv(dir, fleet(), [robot], 'acc', [`OFFPATH_DOCKER=${robot.dockerCli}`]);
    const result = await runScriptAsync('deploy.ts', ['offpath', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
    const onRobot = execFileSync('docker', ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}} {{json .RootFS.Layers}}', ref], {
      env: robot.dockerEnv(),
      encoding: 'utf8',
    });
    const onLaptop = execFileSync('docker', ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}} {{json .RootFS.Layers}}', ref], {
      encoding: 'utf8',
    });
    assert.equal(onRobot, onLaptop, 'the containerd-store robot holds the laptop image');
    const doctor = await runScriptAsync('doctor.ts', ['offpath', '--env-file', envFile]);
    assert.match(
      doctor.output,
      new RegExp(`^✔ offpath\\s+docker usable\\s+Docker 26\\S+ linux/amd64 \\(${robot.dockerCli.replace(/[/.]/g, '\\$&')}\\)$`, 'm'),
    );
    assert.match(doctor.output, /^✔ offpath\s+image store\s+containerd/m);
  });
});
