import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { type Descriptor, OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR, OCI_MANIFEST, sha256Digest } from '../../../scripts/lib/net/manifest.ts';
import { RegistryClient } from '../../../scripts/lib/net/registry-client.ts';
import { firstImageIn, imageIn, layersOnRobot } from '../../../scripts/lib/push/registry-images.ts';

const REPO = 'eurobot2023';
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** What the stand-in registry holds for REPO: manifests by tag or digest, blobs by digest, and its requests. */
const store = {
  manifests: new Map<string, string>(),
  blobs: new Map<string, Buffer>(),
  /** false: the repository does not exist yet (tags/list answers 404). */
  hasRepo: true,
  requests: [] as string[],
};

let server: Server;
let port = 0;
before(async () => {
  server = createServer((req, res) => {
    store.requests.push(`${req.method} ${req.url}`);
    const prefix = `/v2/${REPO}/`;
    const path = req.url?.startsWith(prefix) ? req.url.slice(prefix.length) : '';
    const [kind, reference = ''] = path.split(/\/(.*)/s);
    if (kind === 'tags' && reference === 'list' && store.hasRepo) {
      const tags = [...store.manifests.keys()].filter((key) => !key.startsWith('sha256:'));
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: REPO, tags }));
    }
    if (kind === 'manifests' && store.manifests.has(reference)) {
      const text = store.manifests.get(reference) ?? '';
      const type = (JSON.parse(text) as { mediaType: string }).mediaType;
      return void res.writeHead(200, { 'Content-Type': type }).end(text);
    }
    if (kind === 'blobs' && store.blobs.has(reference)) {
      const bytes = store.blobs.get(reference) ?? Buffer.alloc(0);
      res.writeHead(200, { 'Content-Length': bytes.length, 'Content-Type': 'application/octet-stream' });
      return void res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
beforeEach(() => {
  store.manifests.clear();
  store.blobs.clear();
  store.hasRepo = true;
  store.requests.length = 0;
});

const clients: RegistryClient[] = [];
function registry(): RegistryClient {
  const client = new RegistryClient(() => port, REPO);
  clients.push(client);
  return client;
}
after(() => {
  for (const client of clients) client.close();
  server.closeAllConnections();
  server.close();
});

const diffId = (name: string) => sha256Digest(`diff ${name}`);

/** A layer blob stored in the registry: gzip bytes named by their digest. */
function layer(name: string): Descriptor {
  const bytes = Buffer.from(`gzip of ${name}`);
  const digest = sha256Digest(bytes);
  store.blobs.set(digest, bytes);
  return { mediaType: GZIP, digest, size: bytes.length };
}

/** Stores an image (config with these diffIDs, its layers, its manifest) and returns its manifest digest and parts. */
function image(layerNames: string[], options: { config?: string | null } = {}) {
  const layers = layerNames.map(layer);
  const configText =
    options.config ?? JSON.stringify({ architecture: 'amd64', rootfs: { type: 'layers', diff_ids: layerNames.map(diffId) } });
  const configBytes = Buffer.from(configText);
  const config: Descriptor = { mediaType: OCI_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length };
  if (options.config !== null) store.blobs.set(config.digest, configBytes);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers });
  const digest = sha256Digest(manifest);
  store.manifests.set(digest, manifest);
  return { digest, config, layers, diffIds: layerNames.map(diffId) };
}

function tag(name: string, digest: string): void {
  store.manifests.set(name, store.manifests.get(digest) ?? '');
}

function index(entries: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[]): string {
  const text = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map((e) => ({
      mediaType: OCI_MANIFEST,
      digest: e.digest,
      size: 1,
      ...(e.platform ? { platform: e.platform } : {}),
    })),
  });
  const digest = sha256Digest(text);
  store.manifests.set(digest, text);
  return digest;
}

test("an image by tag: its config, its layers, and the layers' diffIDs from the config", async () => {
  const stored = image(['base', 'app']);
  tag('navigation', stored.digest);
  assert.deepEqual(await imageIn(registry(), 'navigation', 'linux/amd64'), {
    config: stored.config,
    layers: stored.layers,
    diffIds: stored.diffIds,
  });
  assert.deepEqual(await imageIn(registry(), stored.digest, 'linux/amd64'), await imageIn(registry(), 'navigation', 'linux/amd64'));
});

test('a tag or digest the registry does not have is no image', async () => {
  assert.equal(await imageIn(registry(), 'navigation', 'linux/amd64'), undefined);
  assert.equal(await imageIn(registry(), sha256Digest('nothing'), 'linux/amd64'), undefined);
});

test("an index resolves to the image of the robot's platform, variant included", async () => {
  const amd = image(['amd-base']);
  const arm = image(['arm-base']);
  const armV7 = image(['armv7-base']);
  tag(
    'navigation',
    index([
      { digest: amd.digest, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: armV7.digest, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { digest: arm.digest, platform: { os: 'linux', architecture: 'arm64' } },
    ]),
  );
  assert.deepEqual((await imageIn(registry(), 'navigation', 'linux/arm64'))?.diffIds, arm.diffIds);
  assert.deepEqual((await imageIn(registry(), 'navigation', 'linux/arm/v7'))?.diffIds, armV7.diffIds);
  assert.deepEqual((await imageIn(registry(), 'navigation', 'linux/amd64'))?.diffIds, amd.diffIds);
  assert.equal(await imageIn(registry(), 'navigation', 'linux/riscv64'), undefined, 'no image for a platform the index lacks');
});

test('an index of one image without a platform is that image; an index whose image is gone is no image', async () => {
  const only = image(['only']);
  tag('single', index([{ digest: only.digest }]));
  assert.deepEqual((await imageIn(registry(), 'single', 'linux/arm64'))?.diffIds, only.diffIds);
  tag('dangling', index([{ digest: sha256Digest('deleted'), platform: { os: 'linux', architecture: 'amd64' } }]));
  assert.equal(await imageIn(registry(), 'dangling', 'linux/amd64'), undefined);
});

test('an image whose config blob is missing or has no readable diffIDs still gives its layers, without diffIDs', async () => {
  const missing = image(['a'], { config: null });
  tag('missing-config', missing.digest);
  const garbled = image(['b'], { config: '{"rootfs":{"diff_ids":[1,2]}}' });
  tag('garbled', garbled.digest);
  const notJson = image(['c'], { config: 'not json' });
  tag('not-json', notJson.digest);
  for (const [name, stored] of [
    ['missing-config', missing],
    ['garbled', garbled],
    ['not-json', notJson],
  ] as const) {
    const found = await imageIn(registry(), name, 'linux/amd64');
    assert.deepEqual(found, { config: stored.config, layers: stored.layers }, name);
  }
});

test('firstImageIn gives the first reference the registry still has, and which it was', async () => {
  const previous = image(['old']);
  tag('navigation.prev', previous.digest);
  const current = image(['new']);
  tag('navigation', current.digest);
  const found = await firstImageIn(registry(), ['gone', 'navigation', 'navigation.prev'], 'linux/amd64');
  assert.equal(found?.reference, 'navigation');
  assert.deepEqual(found?.image.diffIds, current.diffIds);
  assert.equal(await firstImageIn(registry(), ['gone', 'also-gone'], 'linux/amd64'), undefined);
  assert.equal(await firstImageIn(registry(), [], 'linux/amd64'), undefined);
});

test("layers on the robot: a layer of any tag's image is found by its diffID, with that image's blob", async () => {
  const nav = image(['base', 'nav']);
  tag('navigation', nav.digest);
  const vision = image(['base', 'vision']);
  tag('vision.prev', vision.digest);
  const found = await layersOnRobot(registry(), 'linux/amd64', [diffId('base'), diffId('vision'), diffId('new')], new Map());
  assert.deepEqual(
    found,
    new Map([
      [diffId('base'), nav.layers[0]],
      [diffId('vision'), vision.layers[1]],
    ]),
  );
});

test('layers on the robot: a blob this laptop uploaded before is found again with HEAD, at the size the registry reports', async () => {
  const kept = layer('uploaded earlier');
  const remembered = new Map([
    [diffId('earlier'), { ...kept, size: 999_999 }],
    [diffId('gone'), { mediaType: GZIP, digest: sha256Digest('deleted since'), size: 13 }],
  ]);
  const found = await layersOnRobot(registry(), 'linux/amd64', [diffId('earlier'), diffId('gone')], remembered);
  assert.deepEqual(found, new Map([[diffId('earlier'), kept]]));
  assert.ok(store.requests.includes(`HEAD /v2/${REPO}/blobs/${kept.digest}`));
});

test('layers on the robot: a layer an earlier delta stored uncompressed under its diffID is found as a plain tar', async () => {
  const bytes = Buffer.from('a whole uncompressed layer');
  const id = sha256Digest(bytes);
  store.blobs.set(id, bytes);
  store.hasRepo = false;
  const found = await layersOnRobot(registry(), 'linux/amd64', [id], new Map());
  assert.deepEqual(found, new Map([[id, { mediaType: OCI_LAYER_TAR, digest: id, size: bytes.length }]]));
});

test('layers on the robot: a repository with no tags yet, and no blob for a layer, gives nothing', async () => {
  store.hasRepo = false;
  assert.deepEqual(await layersOnRobot(registry(), 'linux/amd64', [diffId('x')], new Map()), new Map());
});
