import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RobotConfig } from '../../../scripts/lib/config/project-config.ts';
import { linkKey } from '../../../scripts/lib/link/link-key.ts';

function robot(name: string, target: RobotConfig['target']): RobotConfig {
  return { name, envPrefix: name.toUpperCase(), target, platform: 'linux/amd64', workspaces: [], registryPort: 5000, delta: 'auto' };
}

test('the SSH default port is the same link as port 22 written out', () => {
  assert.equal(
    linkKey(robot('robot1', { user: 'nuc', host: '192.0.2.1' })),
    linkKey(robot('robot1', { user: 'nuc', host: '192.0.2.1', port: 22 })),
  );
});

test('a robot renamed, or reached as another user, host or port, is another link with its own measured rate', () => {
  const base = linkKey(robot('robot1', { user: 'nuc', host: '192.0.2.1', port: 22 }));
  const others = [
    robot('robot2', { user: 'nuc', host: '192.0.2.1', port: 22 }),
    robot('robot1', { user: 'root', host: '192.0.2.1', port: 22 }),
    robot('robot1', { host: '192.0.2.1', port: 22 }),
    robot('robot1', { user: 'nuc', host: '192.0.2.2', port: 22 }),
    robot('robot1', { user: 'nuc', host: '192.0.2.1', port: 2222 }),
  ].map(linkKey);
  for (const key of others) assert.notEqual(key, base);
  assert.equal(new Set(others).size, others.length);
});

test('the key names the robot and where it is reached, in the form the laptop cache already holds', () => {
  assert.equal(linkKey(robot('jetson', { user: 'nvidia', host: 'fe80::1', port: 2200 })), 'jetson nvidia@fe80::1:2200');
});
