import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hasRegistryImage,
  LAPTOP_REGISTRY,
  laptopRegistryState,
  parseLaptopRegistryState,
  removeLaptopRegistry,
  removeLaptopRegistryVolume,
  runLaptopRegistry,
  startLaptopRegistry,
} from '../../../scripts/lib/commands/laptop-registry.ts';
import { REGISTRY_IMAGE } from '../../../scripts/lib/commands/robot-registry.ts';

test('the state is inspected as "status host:port…" of the published 5000/tcp', () => {
  const argv = laptopRegistryState();
  assert.deepEqual(argv.slice(0, 3), ['docker', 'container', 'inspect']);
  assert.equal(argv.at(-1), LAPTOP_REGISTRY);
  const format = argv[argv.indexOf('--format') + 1];
  assert.match(format, /^\{\{\.State\.Status\}\}/);
  assert.match(format, /index \.NetworkSettings\.Ports "5000\/tcp"/);
  assert.match(format, / \{\{\.HostIp\}\}:\{\{\.HostPort\}\}/);
});

test('parse: running and published on loopback gives the port', () => {
  assert.deepEqual(parseLaptopRegistryState('running 127.0.0.1:5050\n'), { status: 'running', port: 5050 });
  assert.deepEqual(parseLaptopRegistryState('  running 127.0.0.1:5051  '), { status: 'running', port: 5051 });
});

test('parse: of several bindings only the loopback one counts', () => {
  assert.deepEqual(parseLaptopRegistryState('running 0.0.0.0:5050 127.0.0.1:5052'), { status: 'running', port: 5052 });
  assert.deepEqual(parseLaptopRegistryState('running 0.0.0.0:5050 :::5050'), { status: 'running' });
  assert.deepEqual(parseLaptopRegistryState('running 127.0.0.10:5050'), { status: 'running' }, 'only 127.0.0.1 itself');
});

test('parse: a stopped container has a status and no port', () => {
  assert.deepEqual(parseLaptopRegistryState('exited'), { status: 'exited' });
  assert.deepEqual(parseLaptopRegistryState('created\n'), { status: 'created' });
});

test('parse: no output means no registry container, so it is created, not started', () => {
  assert.deepEqual(parseLaptopRegistryState(''), { status: 'absent' });
  assert.deepEqual(parseLaptopRegistryState('\n'), { status: 'absent' });
});

test("the registry is published on the laptop engine's loopback only, kept across restarts, its blobs in a named volume", () => {
  const argv = runLaptopRegistry(5053);
  assert.deepEqual(argv.slice(0, 3), ['docker', 'run', '-d']);
  assert.equal(argv.at(-1), REGISTRY_IMAGE);
  const value = (flag: string) => argv.filter((_, i) => argv[i - 1] === flag);
  assert.deepEqual(value('--name'), [LAPTOP_REGISTRY]);
  assert.deepEqual(value('-p'), ['127.0.0.1:5053:5000'], 'never on every interface of the VM');
  assert.deepEqual(value('--restart'), ['unless-stopped']);
  assert.deepEqual(value('-v'), [`${LAPTOP_REGISTRY}:/var/lib/registry`]);
  assert.deepEqual(value('-e'), ['REGISTRY_STORAGE_DELETE_ENABLED=true']);
});

test('every other command names the same container, volume or image', () => {
  assert.deepEqual(hasRegistryImage(), ['docker', 'image', 'inspect', '--format', '{{.Id}}', REGISTRY_IMAGE]);
  assert.deepEqual(startLaptopRegistry(), ['docker', 'container', 'start', LAPTOP_REGISTRY]);
  assert.deepEqual(removeLaptopRegistry(), ['docker', 'container', 'rm', '-f', LAPTOP_REGISTRY]);
  assert.deepEqual(removeLaptopRegistryVolume(), ['docker', 'volume', 'rm', LAPTOP_REGISTRY]);
});
