// <NAME>_COMPOSE on a Debian 13 robot (docker 26.1, compose v2 2.26): after each deploy the
// service's container runs the image that was just deployed, named by file or by project.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace, type SimRobot } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { dockerOn, imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

/** The image ID the compose service's container was created from, on the robot. */
function serviceImage(robot: SimRobot): string {
  const id = dockerOn(robot, [
    'ps',
    '-q',
    '--filter',
    'label=com.docker.compose.project=rdcompose',
    '--filter',
    'label=com.docker.compose.service=app',
  ]);
  assert.match(id, /^[0-9a-f]{12}$/, 'one running container for the service');
  return dockerOn(robot, ['container', 'inspect', '--format', '{{.Image}}', id]);
}

describe('<NAME>_COMPOSE brings the services up on the new image', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['c26'], engine: 'docker26' });

  test('by compose file, then by project name: the service runs the image each deploy landed', async () => {
    const robot = fleet().robot('c26');
    const dir = makeProjectDir();
    const workspace = await makeWorkspace(dir, { name: 'composed' });
    const ref = `${TEST_IMAGE}:composed`;
    // On the robot the file is read by its own user, who cannot enter the (root-only) project dir.
    const robotDir = makeProjectDir();
    chmodSync(robotDir, 0o755);
    const composeFile = join(robotDir, 'compose.yaml');
    writeFileSync(composeFile, `name: rdcompose\nservices:\n  app:\n    image: ${ref}\n    command: ["sleep", "3600"]\n`);
    const byFile = writeProjectEnv(dir, fleet(), fleet().robots, 'composed', [`C26_COMPOSE=${composeFile}`]);
    const first = await runScriptAsync('deploy.ts', ['c26', '--env-file', byFile]);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /compose: .*(Started|Created|Running)/);
    const firstId = imageIdOn(robot, ref);
    assert.equal(serviceImage(robot), firstId, 'the service runs the deployed image');

    await workspace.setTop('compose round 2');
    const byProject = writeProjectEnv(dir, fleet(), fleet().robots, 'composed', ['C26_COMPOSE=rdcompose']);
    const second = await runScriptAsync('deploy.ts', ['c26', '--env-file', byProject]);
    assert.equal(second.code, 0, second.output);
    const secondId = imageIdOn(robot, ref);
    assert.notEqual(secondId, firstId);
    assert.equal(serviceImage(robot), secondId, 'the redeploy recreated the service on the new image');
  });
});
