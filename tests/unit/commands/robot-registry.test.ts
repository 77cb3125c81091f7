import assert from 'node:assert/strict';
import { test } from 'node:test';
import { garbageCollect, parseEnsureOutput } from '../../../scripts/lib/commands/robot-registry.ts';

test("the registry's garbage collection runs inside its own container, on its own config", () => {
  const argv = garbageCollect();
  assert.deepEqual(argv.slice(argv.indexOf('exec') + 1), [
    'robot-deploy-registry',
    '/bin/registry',
    'garbage-collect',
    '/etc/docker/registry/config.yml',
  ]);
});

test('ensure output: status and the loopback port the registry is bound to', () => {
  assert.deepEqual(parseEnsureOutput('status=running\nbind=127.0.0.1:5001\n'), { status: 'running', port: 5001 });
});
