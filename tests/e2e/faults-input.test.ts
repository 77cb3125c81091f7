// Bad input and a bare laptop: refused before anything runs, nothing executed from a name,
// nothing touches the robot when the build cannot happen, and no bash needed at all.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { REPO } from '../support/cli.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { dockerOn, imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const MARK = '/tmp/rd-e2e-pwned';

function registryContainers(robot: Parameters<typeof dockerOn>[0]): string {
  return dockerOn(robot, ['container', 'ls', '-a', '--filter', 'name=robot-deploy-registry', '-q']);
}

describe('bad input and a bare laptop', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1', 'sim2'] });

  test('injection attempts in names are refused with exit 2 and create no file on the robot', async () => {
    rmSync(MARK, { force: true });
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'input' });
    const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim1')], 'input');
    const attempts = [
      ['deploy.ts', [`sim1;touch ${MARK}`, '--env-file', envFile]],
      ['deploy.ts', ['sim1', '--ws', `$(touch ${MARK})`, '--env-file', envFile]],
      ['deploy.ts', ['sim1', '--ws', `input\`touch ${MARK}\``, '--env-file', envFile]],
      ['rollback.ts', ['sim1', '--ws', `x;touch ${MARK}`, '--env-file', envFile]],
    ] as const;
    for (const [script, args] of attempts) {
      const result = await runScriptAsync(script, [...args]);
      assert.equal(result.code, 2, `${script} ${args.join(' ')}\n${result.output}`);
    }
    const hostile = writeProjectEnv(dir, fleet(), [fleet().robot('sim1')], 'input', [`SIM1_AFTER_X=1`]);
    assert.equal((await runScriptAsync('deploy.ts', ['sim1', '--env-file', hostile])).code, 2, 'unknown keys are refused');
    writeFileSync(envFile, `IMAGE=img$(touch ${MARK})\nSIM1_HOST=rdsim@${fleet().robot('sim1').address}\n`);
    assert.equal((await runScriptAsync('deploy.ts', ['sim1', '--env-file', envFile])).code, 2);
    assert.equal(existsSync(MARK), false, 'nothing was executed');
    assert.equal(registryContainers(fleet().robot('sim1')), '', 'nothing ran on the robot');
  });

  test('a build context whose path holds quotes, spaces and $(…) deploys fine and executes nothing', async () => {
    const dir = makeProjectDir();
    const name = `it's a $(touch rd-e2e-pwned) "dir"`;
    mkdirSync(join(dir, name));
    await makeWorkspace(join(dir, name), { name: 'input' });
    const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim1')], 'input', [], name);
    const result = await runScriptAsync('deploy.ts', ['sim1', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
    for (const place of [REPO, dir, join(dir, name)])
      assert.equal(existsSync(join(place, 'rd-e2e-pwned')), false, `nothing executed (${place})`);
    assert.equal(imageIdOn(fleet().robot('sim1'), `${TEST_IMAGE}:input`), imageIdOn(undefined, `${TEST_IMAGE}:input`));
  });

  test('CONTEXT pointing outside the project is refused before anything runs', async () => {
    const dir = makeProjectDir();
    const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim2')], 'input', [], '../..');
    const result = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile]);
    assert.equal(result.code, 2, result.output);
    assert.match(result.output, /CONTEXT=\.\.\/\.\. points outside/);
    assert.equal(existsSync(join(dir, 'known_hosts')), false, 'no connection was made');
  });

  test('a build that fails: the message names the cause and nothing is started on the robot', async () => {
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'broken' });
    writeFileSync(join(dir, 'broken', 'Dockerfile'), 'FROM robot-deploy-sim/busybox:latest\nRUN echo "compiler says no" >&2 && exit 3\n');
    const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim2')], 'broken');
    const result = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile]);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /sim2\s+failed\s+build failed — docker build of rd-e2e:broken \(linux\/amd64\).*compiler says no/);
    assert.equal(registryContainers(fleet().robot('sim2')), '', 'the registry was not started');
    assert.equal(imageIdOn(fleet().robot('sim2'), `${TEST_IMAGE}:broken`), undefined);
  });

  test('the laptop engine is not running: the cause is named and the robot is not contacted', async () => {
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'input' });
    const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim2')], 'input');
    const result = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile], {
      DOCKER_HOST: 'unix:///nonexistent.sock',
    });
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /the laptop's Docker engine is not reachable/);
    assert.equal(existsSync(join(dir, 'known_hosts')), false, 'no connection was made');
  });

  test('no shell on PATH (no bash, no sh): a full deploy works, laptop commands start from argv', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'rd-nobash-'));
    for (const [name, target] of [
      ['docker', process.env.DOCKER_CLI ?? which('docker')],
      ['node', process.execPath],
    ]) {
      symlinkSync(target, join(bin, name));
    }
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'nobash' });
    const envFile = writeProjectEnv(dir, fleet(), [fleet().robot('sim2')], 'nobash');
    const result = await runScriptAsync('deploy.ts', ['sim2', '--env-file', envFile], { PATH: bin });
    assert.equal(result.code, 0, result.output);
    assert.equal(imageIdOn(fleet().robot('sim2'), `${TEST_IMAGE}:nobash`), imageIdOn(undefined, `${TEST_IMAGE}:nobash`));
  });
});

function which(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, tool))) return join(dir, tool);
  throw new Error(`${tool} not on PATH`);
}
