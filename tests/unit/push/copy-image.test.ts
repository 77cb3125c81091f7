// The staged route's copy: from the registry in the laptop's engine to the robot's, both stand-ins on
// 127.0.0.1 in this process. The robot must end with the manifest's exact bytes (so it pulls the digest
// the laptop pushed) and only the blobs it lacked must cross.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { type Descriptor, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, sha256Digest } from '../../../scripts/lib/net/manifest.ts';
import { RegistryClient } from '../../../scripts/lib/net/registry-client.ts';
import { copyBlob, copyImage } from '../../../scripts/lib/push/copy-image.ts';
import { type StandInRegistry, startRegistry } from '../../support/stand-in-registry.ts';

const REPO = 'eurobot2023';
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

let laptop: StandInRegistry;
let robot: StandInRegistry;
let from: RegistryClient;
let to: RegistryClient;
const never = new AbortController().signal;

beforeEach(async () => {
  laptop = await startRegistry(REPO);
  robot = await startRegistry(REPO);
  from = new RegistryClient(() => laptop.port, REPO);
  to = new RegistryClient(() => robot.port, REPO);
});
afterEach(async () => {
  from.close();
  to.close();
  await laptop.close();
  await robot.close();
});

/** A blob stored in `registry` (the laptop's by default): bytes named by their digest. */
function blob(text: string, mediaType = GZIP, registry = laptop): Descriptor {
  const bytes = Buffer.from(text);
  const digest = sha256Digest(bytes);
  registry.blobs.set(digest, bytes);
  return { mediaType, digest, size: bytes.length };
}

/**
 * A manifest in the laptop's registry, written as docker writes it (indented, its own key order), so any
 * re-serialisation would change its digest. Returns its digest, text and parts.
 */
function manifest(name: string, layerNames: string[], mediaType = DOCKER_MANIFEST) {
  const config = blob(`{"architecture":"${name}","rootfs":{"diff_ids":[]}}`, OCI_CONFIG);
  const layers = layerNames.map((layer) => blob(`gzip bytes of ${layer}`, mediaType === DOCKER_MANIFEST ? DOCKER_LAYER : GZIP));
  const text = `{\n   "schemaVersion": 2,\n   "mediaType": "${mediaType}",\n   "config": ${JSON.stringify(config, null, 3)},\n   "layers": ${JSON.stringify(layers, null, 3)}\n}`;
  const digest = sha256Digest(text);
  laptop.manifests.set(digest, { text, mediaType });
  return { digest, text, mediaType, config, layers };
}

function index(entries: { digest: string; platform?: string }[], mediaType = OCI_INDEX) {
  const manifests = entries.map(({ digest, platform }) => {
    const [os, architecture, variant] = (platform ?? 'unknown/unknown').split('/');
    return { mediaType: OCI_MANIFEST, digest, size: 100, platform: { os, architecture, ...(variant ? { variant } : {}) } };
  });
  const text = `${JSON.stringify({ schemaVersion: 2, mediaType, manifests }, null, 2)}\n`;
  const digest = sha256Digest(text);
  laptop.manifests.set(digest, { text, mediaType });
  return { digest, text, mediaType };
}

/** The blobs the laptop's registry was asked for (GET), by digest. */
const blobsRead = () =>
  laptop.requests.filter((r) => r.startsWith('GET ') && r.includes('/blobs/sha256:')).map((r) => r.split('/blobs/')[1]);

test('an image manifest: the robot gets the exact bytes under the digest and WS, and only the blobs it lacked', async () => {
  const image = manifest('amd64', ['base', 'deps', 'app']);
  // The robot already has the base layer from an earlier deploy.
  robot.blobs.set(image.layers[0].digest, laptop.blobs.get(image.layers[0].digest) ?? Buffer.alloc(0));

  const copied = await copyImage(from, to, image.digest, 'navigation', 'linux/amd64', never);

  assert.equal(copied.configDigest, image.config.digest);
  const lacked = [image.config, image.layers[1], image.layers[2]];
  assert.equal(
    copied.bytes,
    lacked.reduce((sum, d) => sum + d.size, 0),
  );
  assert.deepEqual(
    robot.uploaded,
    lacked.map((d) => d.digest),
    'config and layers, in order, each once',
  );
  assert.deepEqual(
    blobsRead(),
    lacked.map((d) => d.digest),
    'the layer the robot had is never read from the laptop',
  );
  for (const d of [image.config, ...image.layers]) assert.deepEqual(robot.blobs.get(d.digest), laptop.blobs.get(d.digest));
  for (const reference of [image.digest, 'navigation']) {
    assert.deepEqual(robot.manifests.get(reference), { text: image.text, mediaType: DOCKER_MANIFEST }, reference);
  }
});

test('copied again, nothing is sent but the manifests', async () => {
  const image = manifest('amd64', ['base', 'app']);
  await copyImage(from, to, image.digest, 'navigation', 'linux/amd64', never);
  const uploads = robot.uploaded.length;
  const again = await copyImage(from, to, image.digest, 'perception', 'linux/amd64', never);
  assert.equal(again.bytes, 0);
  assert.equal(robot.uploaded.length, uploads);
  assert.equal(robot.manifests.get('perception')?.text, image.text);
});

test('an index: each platform manifest the laptop holds is copied by digest, then the index under its digest and WS', async () => {
  const amd64 = manifest('amd64', ['base-amd64', 'app-amd64'], OCI_MANIFEST);
  const arm64 = manifest('arm64', ['base-arm64', 'app-arm64'], OCI_MANIFEST);
  const top = index([
    { digest: amd64.digest, platform: 'linux/amd64' },
    { digest: arm64.digest, platform: 'linux/arm64' },
  ]);

  const copied = await copyImage(from, to, top.digest, 'navigation', 'linux/arm64', never);

  assert.equal(copied.configDigest, arm64.config.digest, "the config of the robot's platform, though listed second");
  const sent = [amd64, arm64].flatMap((m) => [m.config, ...m.layers]);
  assert.equal(
    copied.bytes,
    sent.reduce((sum, d) => sum + d.size, 0),
  );
  assert.deepEqual(
    robot.uploaded,
    sent.map((d) => d.digest),
  );
  for (const m of [amd64, arm64]) assert.deepEqual(robot.manifests.get(m.digest), { text: m.text, mediaType: OCI_MANIFEST });
  for (const reference of [top.digest, 'navigation'])
    assert.deepEqual(robot.manifests.get(reference), { text: top.text, mediaType: OCI_INDEX });
  assert.deepEqual(
    robot.manifestPuts.map((put) => put.reference),
    [amd64.digest, arm64.digest, top.digest, 'navigation'],
    'children before the index that names them',
  );
});

test("an index naming a manifest the laptop's registry lacks fails before the robot's registry gets the index", async () => {
  const amd64 = manifest('amd64', ['app']);
  const top = index([
    { digest: amd64.digest, platform: 'linux/amd64' },
    { digest: sha256Digest('a manifest nobody stored'), platform: 'linux/arm64' },
  ]);
  await assert.rejects(
    copyImage(from, to, top.digest, 'navigation', 'linux/amd64', never),
    /lacks manifest sha256:\w+, which index sha256:\w+ names/,
  );
  assert.equal(
    robot.manifestPuts.some((put) => put.reference === top.digest || put.reference === 'navigation'),
    false,
  );
});

test("an index keeps its own media type (docker's manifest list) on the robot", async () => {
  const amd64 = manifest('amd64', ['app'], DOCKER_MANIFEST);
  const top = index([{ digest: amd64.digest, platform: 'linux/amd64' }], DOCKER_LIST);
  await copyImage(from, to, top.digest, 'navigation', 'linux/amd64', never);
  assert.deepEqual(robot.manifestPuts, [
    { reference: amd64.digest, mediaType: DOCKER_MANIFEST },
    { reference: top.digest, mediaType: DOCKER_LIST },
    { reference: 'navigation', mediaType: DOCKER_LIST },
  ]);
});

test("an index without the robot's platform: the first copied manifest's config is the answer", async () => {
  const amd64 = manifest('amd64', ['app-amd64'], OCI_MANIFEST);
  const arm = manifest('arm', ['app-arm'], OCI_MANIFEST);
  const top = index([
    { digest: amd64.digest, platform: 'linux/amd64' },
    { digest: arm.digest, platform: 'linux/arm/v7' },
  ]);
  const copied = await copyImage(from, to, top.digest, 'navigation', 'linux/riscv64', never);
  assert.equal(copied.configDigest, amd64.config.digest);
});

test("the robot's platform listed first is not displaced by the manifests after it", async () => {
  const arm64 = manifest('arm64', ['app-arm64'], OCI_MANIFEST);
  const amd64 = manifest('amd64', ['app-amd64'], OCI_MANIFEST);
  const top = index([
    { digest: arm64.digest, platform: 'linux/arm64' },
    { digest: amd64.digest, platform: 'linux/amd64' },
  ]);
  const copied = await copyImage(from, to, top.digest, 'navigation', 'linux/arm64', never);
  assert.equal(copied.configDigest, arm64.config.digest);
});

test("a digest the laptop's registry does not have fails naming it, and nothing reaches the robot", async () => {
  const missing = sha256Digest('never pushed');
  await assert.rejects(copyImage(from, to, missing, 'navigation', 'linux/amd64', never), {
    message: `the engine's registry has no manifest ${missing}`,
  });
  assert.deepEqual(robot.requests, []);
});

test('an index inside an index is refused before the robot is given any manifest', async () => {
  const amd64 = manifest('amd64', ['app'], OCI_MANIFEST);
  const inner = index([{ digest: amd64.digest, platform: 'linux/amd64' }]);
  const top = index([{ digest: inner.digest, platform: 'linux/amd64' }]);
  await assert.rejects(copyImage(from, to, top.digest, 'navigation', 'linux/amd64', never), {
    message: `nested index ${inner.digest} in the engine's registry`,
  });
  assert.equal(robot.manifests.size, 0);
});

test('a blob the robot refuses (its bytes do not match the digest) fails the copy, and no manifest is put', async () => {
  const image = manifest('amd64', ['base', 'app']);
  laptop.blobs.set(image.layers[1].digest, Buffer.from('corrupted on the laptop'));
  await assert.rejects(copyImage(from, to, image.digest, 'navigation', 'linux/amd64', never), /uploading blob .* answered HTTP 400/);
  assert.equal(robot.manifests.size, 0);
  assert.ok(!robot.blobs.has(image.layers[1].digest));
});

test('a blob the laptop cannot read fails the copy with its HTTP status', async () => {
  const image = manifest('amd64', ['base', 'app']);
  laptop.blobs.delete(image.layers[0].digest);
  await assert.rejects(
    copyImage(from, to, image.digest, 'navigation', 'linux/amd64', never),
    new RegExp(`GET blob ${image.layers[0].digest} answered HTTP 404`),
  );
  assert.equal(robot.manifests.size, 0);
});

test('an abort during an upload ends the copy with its reason: no further blob, no manifest', async () => {
  const image = manifest('amd64', ['base', 'deps', 'app']);
  const controller = new AbortController();
  const reason = new Error('SSH connection lost');
  // The robot's registry sees the first upload's final PUT, and the link goes down before it answers.
  robot.intercept = (req) => {
    if (req.method === 'PUT' && req.url?.includes('/blobs/uploads/')) {
      controller.abort(reason);
      return true;
    }
    return false;
  };
  await assert.rejects(copyImage(from, to, image.digest, 'navigation', 'linux/amd64', controller.signal), (error) => error === reason);
  assert.equal(robot.requests.filter((r) => r.startsWith('POST ')).length, 1, 'one upload started, no other');
  assert.ok(!robot.requests.some((r) => r.includes('/manifests/')));
});

test('copyBlob: a blob the robot has costs one HEAD and 0 bytes; an aborted signal sends nothing', async () => {
  const layer = blob('gzip bytes of base');
  robot.blobs.set(layer.digest, laptop.blobs.get(layer.digest) ?? Buffer.alloc(0));
  assert.equal(await copyBlob(from, to, layer, never), 0);
  assert.deepEqual(robot.requests, [`HEAD /v2/${REPO}/blobs/${layer.digest}`]);
  assert.deepEqual(laptop.requests, []);

  const other = blob('gzip bytes of app');
  const reason = new Error('deploy stopped');
  await assert.rejects(copyBlob(from, to, other, AbortSignal.abort(reason)), (error) => error === reason);
  assert.equal(robot.requests.length, 1);
  assert.equal(await copyBlob(from, to, other, never), other.size);
  assert.deepEqual(robot.blobs.get(other.digest), laptop.blobs.get(other.digest));
});
