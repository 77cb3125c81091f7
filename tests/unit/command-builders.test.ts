import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as local from '../../scripts/lib/commands/local-docker.ts';
import * as robot from '../../scripts/lib/commands/robot-docker.ts';
import * as registry from '../../scripts/lib/commands/robot-registry.ts';

const spec = {
  platform: 'linux/arm64',
  tag: 'eurobot2023:navigation',
  dockerfile: '/p/navigation/Dockerfile',
  context: '/p',
};

test('buildx build: the post step 1, into the builder cache only', () => {
  assert.equal(
    local.buildxBuild(spec, '/tmp/m.json').join(' '),
    'docker buildx build --platform linux/arm64 --tag eurobot2023:navigation --provenance=false --output type=image,push=false --metadata-file /tmp/m.json --file /p/navigation/Dockerfile /p',
  );
});

test('buildx push: the post step 4, output type=registry to the tunnel', () => {
  assert.equal(
    local.buildxPush(spec, 'localhost:5001/eurobot2023:navigation', '/tmp/m.json').join(' '),
    'docker buildx build --platform linux/arm64 --tag localhost:5001/eurobot2023:navigation --provenance=false --output type=registry --metadata-file /tmp/m.json --file /p/navigation/Dockerfile /p',
  );
});

test('plain docker build when there is no buildx', () => {
  assert.equal(
    local.plainBuild(spec, '/tmp/iid').join(' '),
    'docker build --platform linux/arm64 --tag eurobot2023:navigation --iidfile /tmp/iid --file /p/navigation/Dockerfile /p',
  );
});

test('laptop image commands', () => {
  assert.deepEqual(local.imageId('a:b'), ['docker', 'image', 'inspect', '--format', '{{.Id}}', 'a:b']);
  assert.deepEqual(local.tagImage('a:b', 'localhost:5000/a:b'), ['docker', 'image', 'tag', 'a:b', 'localhost:5000/a:b']);
  assert.deepEqual(local.pushImage('localhost:5000/a:b'), ['docker', 'image', 'push', 'localhost:5000/a:b']);
  assert.deepEqual(local.untagImage('localhost:5000/a:b'), ['docker', 'image', 'rm', '--no-prune', 'localhost:5000/a:b']);
  assert.deepEqual(local.saveImage('registry:2'), ['docker', 'image', 'save', 'registry:2']);
  assert.deepEqual(local.pullImage('registry:2', 'linux/arm64'), ['docker', 'image', 'pull', '--platform', 'linux/arm64', 'registry:2']);
  assert.deepEqual(local.buildxVersion(), ['docker', 'buildx', 'version']);
  assert.equal(
    local.listPushTags('img').join(' '),
    'docker image ls --format {{.Repository}}:{{.Tag}} --filter reference=127.0.0.1:*/img --filter reference=localhost:*/img',
  );
});

test('push digest is read from docker push output', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.equal(local.parsePushDigest(`nav: digest: ${digest} size: 942\n`), digest);
  assert.equal(local.parsePushDigest('nothing'), undefined);
});

test('robot refs: IMAGE:WS, IMAGE:WS.prev, registry refs by tag and by digest', () => {
  assert.equal(robot.imageRef('img', 'nav'), 'img:nav');
  assert.equal(robot.previousRef('img', 'nav'), 'img:nav.prev');
  assert.equal(robot.registryRef('localhost:5001', 'img', 'nav'), 'localhost:5001/img:nav');
  assert.equal(robot.digestRef('127.0.0.1:5000', 'img', 'sha256:ab'), '127.0.0.1:5000/img@sha256:ab');
});

test('robot scripts take user values only as positional parameters', () => {
  const ensure = registry.ensureRegistry(5001);
  assert.deepEqual([ensure[0], ensure[1]], ['sh', '-c']);
  assert.deepEqual(ensure.slice(3), ['ensure-registry', 'robot-deploy-registry', '5001', 'registry:2', 'robot-deploy-registry']);
  assert.deepEqual(robot.pullAndTag('s', 'd', 'p', ['i']).slice(3), ['pull-and-tag', 's', 'd', 'p', 'i']);
  assert.deepEqual(robot.rollback('d', 'p').slice(3), ['rollback', 'd', 'p']);
  assert.deepEqual(robot.probe(['img:a', 'img:b']).slice(3), ['probe', 'robot-deploy-registry', 'img:a', 'img:b']);
  for (const argv of [ensure, robot.pullAndTag('s', 'd', 'p', ['i']), robot.rollback('d', 'p'), robot.probe(['x'])]) {
    assert.doesNotMatch(argv[2], /img:|registry:2|5001/, 'script text must not embed values');
  }
});

test('registry maintenance commands', () => {
  assert.deepEqual(registry.stopRegistry(), ['docker', 'container', 'stop', 'robot-deploy-registry']);
  assert.deepEqual(registry.loadImage(), ['docker', 'image', 'load']);
  assert.equal(
    registry.garbageCollect().join(' '),
    'docker container exec robot-deploy-registry /bin/registry garbage-collect /etc/docker/registry/config.yml',
  );
});

test('probe output parsing', () => {
  const id = `sha256:${'c'.repeat(64)}`;
  const digest = `sha256:${'d'.repeat(64)}`;
  const parsed = robot.parseProbe(
    `engine linux/amd64 26.1.5\nimage img:nav ${id} 127.0.0.1:5000/img@${digest}\nfingerprint img:nav linux/arm64 2026 ["sha256:1"] null\n` +
      'emulates aarch64\nstatus=running\nbind=127.0.0.1:5001\n',
  );
  assert.equal(parsed.platform, 'linux/amd64');
  assert.equal(parsed.version, '26.1.5');
  assert.deepEqual(parsed.emulates, ['aarch64']);
  assert.deepEqual(parsed.registry, { status: 'running', port: 5001 });
  assert.deepEqual(parsed.images.get('img:nav'), {
    id,
    digests: [digest],
    fingerprint: 'linux/arm64 2026 ["sha256:1"] null',
  });
  assert.equal(parsed.images.get('img:other'), undefined);
});
