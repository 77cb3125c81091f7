import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePullAndTag, pullAndTag, rollback } from '../../scripts/lib/commands/robot-docker.ts';
import { ENSURE_NO_IMAGE, ENSURE_PORT_BUSY, ensureRegistry, parseEnsureOutput } from '../../scripts/lib/commands/robot-registry.ts';
import { FakeDocker } from '../support/fake-docker.ts';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;

test('registry absent: created on 127.0.0.1 with a volume and restart=always', () => {
  const docker = new FakeDocker().set('has-registry-image', '');
  const result = docker.run(ensureRegistry(5000));
  assert.equal(result.code, 0);
  assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'created', port: 5000 });
  const run = docker.calls().find((c) => c.startsWith('run '));
  assert.equal(run, 'run -d --name robot-deploy-registry --restart always -p 127.0.0.1:5000:5000 -v robot-deploy-registry:/var/lib/registry -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2');
});

test('registry running: nothing is started', () => {
  const docker = new FakeDocker().set('state', 'running');
  const result = docker.run(ensureRegistry(5000));
  assert.equal(parseEnsureOutput(result.stdout).status, 'running');
  assert.ok(!docker.calls().some((c) => c.startsWith('run ') || c.startsWith('start ')));
});

test('registry stopped: started again', () => {
  const docker = new FakeDocker().set('state', 'exited');
  assert.equal(parseEnsureOutput(docker.run(ensureRegistry(5000)).stdout).status, 'started');
});

test('a teammate created it a moment ago: our run loses the name race and just starts it', () => {
  const docker = new FakeDocker().set('has-registry-image', '').set('run-error', 'Conflict. The container name "/robot-deploy-registry" is already in use');
  const result = docker.run(ensureRegistry(5000));
  assert.equal(result.code, 0);
  assert.equal(parseEnsureOutput(result.stdout).status, 'running');
});

test('no registry:2 on the robot: reported, never pulled from the internet', () => {
  const docker = new FakeDocker();
  const result = docker.run(ensureRegistry(5000));
  assert.equal(result.code, ENSURE_NO_IMAGE);
  assert.equal(parseEnsureOutput(result.stdout).status, 'no-image');
  assert.ok(!docker.calls().some((c) => c.startsWith('run ') || c.includes('pull')));
});

test('port taken by something else: reported and the half-created container removed', () => {
  const docker = new FakeDocker().set('has-registry-image', '').set('run-error', 'Error starting userland proxy: listen tcp4 127.0.0.1:5000: bind: address already in use');
  const result = docker.run(ensureRegistry(5000));
  assert.equal(result.code, ENSURE_PORT_BUSY);
  assert.ok(docker.calls().includes('rm robot-deploy-registry'));
});

test('a registry published on the LAN is flagged', () => {
  const docker = new FakeDocker().set('state', 'running');
  const outcome = parseEnsureOutput(docker.run(ensureRegistry(5000), { FAKE_BIND: '0.0.0.0:5000' }).stdout);
  assert.deepEqual(outcome, { status: 'running', port: 5000, exposed: '0.0.0.0:5000' });
});

test('pull and tag: the replaced image is kept as .prev before IMAGE:WS moves', () => {
  const docker = new FakeDocker().set('pulled-id', NEW).set('ids/img_nav', OLD);
  const argv = pullAndTag(`127.0.0.1:5000/img@${NEW.replace('2', '9')}`, 'img:nav', 'img:nav.prev', [NEW]);
  const result = docker.run(argv);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parsePullAndTag(result.stdout), { deployed: NEW, previous: OLD });
  assert.equal(docker.id('img:nav'), NEW);
  assert.equal(docker.id('img:nav.prev'), OLD);
  const tags = docker.calls().filter((c) => c.startsWith('image tag'));
  assert.deepEqual(tags, [`image tag ${OLD} img:nav.prev`, `image tag ${NEW} img:nav`]);
});

test('pull and tag: the same content under a new digest replaces IMAGE:WS without becoming .prev', () => {
  const docker = new FakeDocker().set('pulled-id', NEW).set('ids/img_nav', OLD).set(`fingerprints/${OLD}`, 'same').set(`fingerprints/${NEW}`, 'same');
  const result = docker.run(pullAndTag('127.0.0.1:5000/img@sha256:x', 'img:nav', 'img:nav.prev', [`sha256:${'7'.repeat(64)}`, NEW]));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parsePullAndTag(result.stdout), { deployed: NEW, previous: undefined });
  assert.equal(docker.id('img:nav'), NEW);
  assert.equal(docker.id('img:nav.prev'), undefined);
});

test('pull fails: IMAGE:WS is not touched', () => {
  const docker = new FakeDocker().set('pull-error', '').set('ids/img_nav', OLD);
  const result = docker.run(pullAndTag('127.0.0.1:5000/img@sha256:x', 'img:nav', 'img:nav.prev', [NEW]));
  assert.notEqual(result.code, 0);
  assert.equal(docker.id('img:nav'), OLD);
  assert.ok(!docker.calls().some((c) => c.startsWith('image tag')));
});

test('pulled content is not the built image: refused, IMAGE:WS not touched', () => {
  const docker = new FakeDocker().set('pulled-id', OLD.replace(/1/g, '3')).set('ids/img_nav', OLD);
  const result = docker.run(pullAndTag('127.0.0.1:5000/img@sha256:x', 'img:nav', 'img:nav.prev', [NEW]));
  assert.equal(result.code, 5);
  assert.match(result.stderr, /expected/);
  assert.equal(docker.id('img:nav'), OLD);
});

test('rollback swaps IMAGE:WS and IMAGE:WS.prev by ID', () => {
  const docker = new FakeDocker().set('ids/img_nav', NEW).set('ids/img_nav.prev', OLD);
  const result = docker.run(rollback('img:nav', 'img:nav.prev'));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(docker.id('img:nav'), OLD);
  assert.equal(docker.id('img:nav.prev'), NEW);
});

test('rollback without a previous image: exit 4, nothing moved', () => {
  const docker = new FakeDocker().set('ids/img_nav', NEW);
  assert.equal(docker.run(rollback('img:nav', 'img:nav.prev')).code, 4);
  assert.equal(docker.id('img:nav'), NEW);
});

test('hostile values stay arguments through the remote shell: nothing is executed from them', () => {
  const docker = new FakeDocker().set('pulled-id', NEW);
  const marker = join(docker.dir, 'pwned');
  const evil = `img:$(touch ${marker})`;
  const result = docker.run(pullAndTag(`x;touch ${marker}`, evil, `\`touch ${marker}\``, [NEW]));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(marker), false);
  assert.equal(docker.id(evil), NEW);
});
