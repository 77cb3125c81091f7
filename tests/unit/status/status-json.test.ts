import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LINK } from '../../../scripts/lib/config/link-policy.ts';
import type { ProjectConfig, RobotConfig } from '../../../scripts/lib/config/project-config.ts';
import type { RobotStatusResult } from '../../../scripts/lib/status/gather-status.ts';
import { STATUS_JSON_VERSION, statusJson } from '../../../scripts/lib/status/status-json.ts';

const ID = (n: number) => `sha256:${String(n).repeat(64)}`;

function robot(name: string, target: RobotConfig['target']): RobotConfig {
  return {
    name,
    envPrefix: name.toUpperCase(),
    target,
    platform: 'linux/amd64',
    workspaces: ['navigation'],
    registryPort: 5000,
    delta: false,
  };
}

const alpha = robot('alpha', { user: 'nuc', host: '192.0.2.10', port: 2222 });
const beta = robot('beta', { host: 'fe80::1' });

const config: ProjectConfig = {
  file: '/project/robots.env',
  dir: '/project',
  image: 'eurobot2023',
  context: '/project',
  workspaces: ['navigation'],
  platform: 'linux/amd64',
  registryPort: 5000,
  robots: [alpha, beta],
  knownHostsFile: '/project/known_hosts',
  reconnectSeconds: 60,
  link: DEFAULT_LINK,
};

const reached: RobotStatusResult = {
  robot: alpha,
  report: { workspaces: new Map(), registry: 'running', imagesSize: '1.2GB', registrySize: '800MB' },
  rows: [
    {
      robot: 'alpha',
      ws: 'navigation',
      state: 'stale',
      robotId: ID(1),
      laptopId: ID(2),
      previousId: ID(3),
      deployedAt: new Date(Date.UTC(2026, 10, 22, 19, 32, 18, 120)),
    },
    { robot: 'alpha', ws: 'vision', state: 'missing' },
  ],
};

const unreachable: RobotStatusResult = { robot: beta, rows: [], error: 'connection refused' };

test('the document names its schema, version, robots.env and image', () => {
  const json = statusJson(config, [reached]);
  assert.equal(json.schema, 'robot-deploy.status');
  assert.equal(json.version, STATUS_JSON_VERSION);
  assert.equal(STATUS_JSON_VERSION, 1, 'version 1 is what scripts reading --json were written against');
  assert.equal(json.envFile, '/project/robots.env');
  assert.equal(json.image, 'eurobot2023');
});

test('a reached robot: its host as user@host:port, the registry and sizes, and one entry per workspace with full IDs', () => {
  const [entry] = statusJson(config, [reached]).robots;
  assert.equal(entry.name, 'alpha');
  assert.equal(entry.host, 'nuc@192.0.2.10:2222');
  assert.equal(entry.reachable, true);
  assert.equal(entry.error, null);
  assert.equal(entry.registry, 'running');
  assert.equal(entry.imagesSize, '1.2GB');
  assert.equal(entry.registrySize, '800MB');
  assert.deepEqual(entry.workspaces[0], {
    workspace: 'navigation',
    ref: 'eurobot2023:navigation',
    state: 'stale',
    robotId: ID(1),
    laptopId: ID(2),
    previousId: ID(3),
    deployedAt: '2026-11-22T19:32:18.120Z',
  });
});

test('what is unknown is null, never missing: a workspace not on the robot, and a robot not reached', () => {
  const json = JSON.parse(JSON.stringify(statusJson(config, [reached, unreachable])));
  assert.deepEqual(json.robots[0].workspaces[1], {
    workspace: 'vision',
    ref: 'eurobot2023:vision',
    state: 'missing',
    robotId: null,
    laptopId: null,
    previousId: null,
    deployedAt: null,
  });
  assert.deepEqual(json.robots[1], {
    name: 'beta',
    host: '[fe80::1]',
    reachable: false,
    error: 'connection refused',
    registry: null,
    imagesSize: null,
    registrySize: null,
    workspaces: [],
  });
});

test('robots appear in the order of the results given', () => {
  assert.deepEqual(
    statusJson(config, [unreachable, reached]).robots.map((r) => r.name),
    ['beta', 'alpha'],
  );
});
