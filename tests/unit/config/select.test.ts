import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../../scripts/lib/config/errors.ts';
import { loadProjectConfig } from '../../../scripts/lib/config/load-config.ts';
import {
  dockerfilePath,
  listWorkspaces,
  loadRobots,
  printable,
  selectRobots,
  selectWorkspaces,
} from '../../../scripts/lib/config/select.ts';
import { makeProject } from '../../support/cli.ts';

const ENV = `IMAGE=img
WORKSPACES=navigation
ALPHA_HOST=nuc@192.0.2.10
BETA_HOST=nuc@192.0.2.11
BETA_WORKSPACES=vision,navigation
GAMMA_HOST=nuc@192.0.2.12
`;

function project(workspaces = ['navigation', 'vision']) {
  const { dir, envFile } = makeProject(ENV, workspaces);
  return { dir, envFile, config: loadProjectConfig(envFile) };
}

const usage = (message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
  assert.match(error.message, message);
  return true;
};

test('robots are chosen by name, case-insensitively, in the order named, each once', () => {
  const { config } = project();
  assert.deepEqual(
    selectRobots(config, ['Gamma', 'alpha', 'GAMMA']).map((r) => r.name),
    ['gamma', 'alpha'],
  );
});

test('"all" (any case) chooses every robot in robots.env order, whatever else is named', () => {
  const { config } = project();
  assert.deepEqual(
    selectRobots(config, ['beta', 'ALL']).map((r) => r.name),
    ['alpha', 'beta', 'gamma'],
  );
});

test('no robot named, or an unknown one, is a usage error listing the known robots', () => {
  const { config, envFile } = project();
  assert.throws(() => selectRobots(config, []), usage(/name at least one robot \(or "all"\)\. Known robots: alpha, beta, gamma/));
  assert.throws(() => selectRobots(config, ['alpha', 'delta']), usage(/unknown robot "delta"\. Known robots in .*: alpha, beta, gamma/));
  assert.throws(
    () => selectRobots(config, ['delta']),
    (error: Error) => error.message.includes(envFile),
  );
});

test('an unknown robot name is shown with its control characters escaped', () => {
  const { config } = project();
  assert.throws(
    () => selectRobots(config, ['evil\u001b[2J\nname']),
    (error: Error) => !/[\u0000-\u001f]/.test(error.message) && error.message.includes('evil\\u001b[2J\\nname'),
  );
});

test("workspaces: --ws flags win over the robot's own list, each once; without flags the robot's list", () => {
  const { config } = project();
  const [alpha, beta] = config.robots;
  assert.deepEqual(selectWorkspaces(config, beta, []), ['vision', 'navigation']);
  assert.deepEqual(selectWorkspaces(config, alpha, []), ['navigation']);
  assert.deepEqual(selectWorkspaces(config, alpha, ['vision', 'navigation', 'vision']), ['vision', 'navigation']);
});

test('a robot without workspaces is a usage error that lists the workspaces found', () => {
  const { config } = project();
  const robot = { ...config.robots[0], workspaces: [] };
  assert.throws(
    () => selectWorkspaces(config, robot, []),
    usage(/no workspace for alpha: set WORKSPACES in .* or pass --ws NAME\. Found: navigation, vision$/),
  );
  const { config: empty } = project([]);
  assert.throws(() => selectWorkspaces(empty, { ...empty.robots[0], workspaces: [] }, []), usage(/Found: none$/));
});

test('a workspace that is no valid tag, or has no Dockerfile, is a usage error', () => {
  const { config, dir } = project();
  const [alpha] = config.robots;
  assert.throws(() => selectWorkspaces(config, alpha, ['bad name']), usage(/workspace "bad name" is not a valid Docker tag/));
  assert.throws(
    () => selectWorkspaces(config, alpha, ['arm']),
    (error: Error) =>
      error.message.includes(`workspace "arm" has no Dockerfile at ${join(dir, 'arm', 'Dockerfile')}`) &&
      error.message.endsWith('Known workspaces: navigation, vision'),
  );
});

test('the Dockerfile of workspace W is CONTEXT/W/Dockerfile', () => {
  const { config, dir } = project();
  assert.equal(dockerfilePath(config, 'vision'), join(dir, 'vision', 'Dockerfile'));
});

test('workspaces found are the directories of CONTEXT holding a Dockerfile, sorted', () => {
  const { config, dir } = project(['zeta', 'arm', 'mid']);
  mkdirSync(join(dir, 'no-dockerfile'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'dockerfile.txt'), '');
  assert.deepEqual(listWorkspaces(config), ['arm', 'mid', 'zeta']);
});

test('printable escapes control characters and quotes, and caps what it shows at 80 characters', () => {
  assert.equal(printable('plain-name'), 'plain-name');
  assert.equal(printable('a\tb\n"c"'), 'a\\tb\\n\\"c\\"');
  const long = printable('x'.repeat(200));
  assert.equal(long.length, 80);
  assert.ok(long.endsWith('...'));
  assert.equal(printable('y'.repeat(80)), 'y'.repeat(80));
});

test('loadRobots reads the named env file and selects the robots named', () => {
  const { envFile } = project();
  const { config, robots } = loadRobots(envFile, ['beta']);
  assert.equal(config.file, envFile);
  assert.deepEqual(
    robots.map((r) => r.name),
    ['beta'],
  );
  assert.throws(() => loadRobots(envFile, ['nobody']), usage(/unknown robot "nobody"/));
});
