// Layers read from the registry kept in a laptop engine's VM, a stand-in on 127.0.0.1 here: sent whole as
// the engine compressed them (to a second stand-in, the robot's), or unpacked for a delta and checked
// against their diffID. Temporary files go when the work ends, however it ends.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Descriptor, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, sha256Digest } from '../../../scripts/lib/net/manifest.ts';
import { RegistryClient } from '../../../scripts/lib/net/registry-client.ts';
import type { LayerSource } from '../../../scripts/lib/push/layer-source.ts';
import { withStagingSource } from '../../../scripts/lib/push/staging-source.ts';
import { Teardown } from '../../../scripts/lib/runner/teardown.ts';
import { type StandInRegistry, startRegistry } from '../../support/stand-in-registry.ts';

const REPO = 'eurobot2023';
const DOCKER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const OCI_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OCI_TAR = 'application/vnd.oci.image.layer.v1.tar';
const never = new AbortController().signal;

let engine: StandInRegistry;
let robot: StandInRegistry;
let staging: RegistryClient;
let to: RegistryClient;
let teardown: Teardown;

beforeEach(async () => {
  engine = await startRegistry(REPO);
  robot = await startRegistry(REPO);
  staging = new RegistryClient(() => engine.port, REPO);
  to = new RegistryClient(() => robot.port, REPO);
  teardown = new Teardown();
});
afterEach(async () => {
  staging.close();
  to.close();
  await engine.close();
  await robot.close();
});

/** An uncompressed layer's bytes and its diffID. */
function tarOf(name: string) {
  const tar = Buffer.from(`pretend tar of ${name}\n`.repeat(50));
  return { tar, diffId: sha256Digest(tar) };
}

/** A layer blob in the engine's registry: gzip (docker's or OCI's media type) or a plain tar. */
function layer(name: string, mediaType = DOCKER_GZIP): Descriptor & { diffId: string; tar: Buffer } {
  const { tar, diffId } = tarOf(name);
  const bytes = mediaType.endsWith('gzip') ? gzipSync(tar) : tar;
  const digest = sha256Digest(bytes);
  engine.blobs.set(digest, bytes);
  return { mediaType, digest, size: bytes.length, diffId, tar };
}

/** An image in the engine's registry; returns its manifest digest, config and layers. */
function image(layers: ReturnType<typeof layer>[], options: { storeConfig?: boolean; index?: boolean } = {}) {
  const configBytes = Buffer.from(
    JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }),
  );
  const config: Descriptor = { mediaType: OCI_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length };
  if (options.storeConfig !== false) engine.blobs.set(config.digest, configBytes);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  });
  let digest = sha256Digest(manifest);
  engine.manifests.set(digest, { text: manifest, mediaType: OCI_MANIFEST });
  if (options.index) {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest, size: manifest.length, platform: { os: 'linux', architecture: 'arm64' } }],
    });
    digest = sha256Digest(index);
    engine.manifests.set(digest, { text: index, mediaType: OCI_INDEX });
  }
  return { digest, config, configBytes };
}

/** Runs `work` with the source and checks the temporary directory went afterwards. */
async function withSource<T>(images: string[], work: (source: LayerSource) => Promise<T>): Promise<T> {
  return withStagingSource(teardown, staging, images, 'linux/arm64', work);
}

test("the new image's config: its digest and bytes as the engine's registry holds them", async () => {
  const base = layer('base');
  const app = layer('app');
  const pushed = image([base, app]);
  await withSource([pushed.digest], async (source) => {
    assert.deepEqual(source.config, {
      descriptor: { mediaType: OCI_CONFIG, digest: pushed.config.digest, size: pushed.configBytes.length },
      bytes: pushed.configBytes,
    });
    assert.equal(source.describe(2, 2_500_000), "copied 2 layer(s), 2.5 MB, from the engine's registry");
  });
});

test("an image pushed as an index is read at the robot's platform", async () => {
  const app = layer('app');
  const pushed = image([app], { index: true });
  await withSource([pushed.digest], async (source) => {
    assert.equal(source.config.descriptor.digest, pushed.config.digest);
    assert.ok(await source.tar(app.diffId));
  });
});

test('a layer sent whole is its blob as the engine compressed it, named with OCI media types', async () => {
  const base = layer('base');
  const app = layer('app');
  const pushed = image([base, app]);
  robot.blobs.set(base.digest, engine.blobs.get(base.digest) ?? Buffer.alloc(0));
  await withSource([pushed.digest], async (source) => {
    const sent = await source.sendWhole(app.diffId, to, never);
    assert.deepEqual(sent, { mediaType: OCI_GZIP, digest: app.digest, size: app.size });
    assert.deepEqual(robot.blobs.get(app.digest), engine.blobs.get(app.digest), 'the same bytes, not compressed again');
    // A layer the robot already has is not sent again, but its descriptor is still the answer.
    assert.deepEqual(await source.sendWhole(base.diffId, to, never), { mediaType: OCI_GZIP, digest: base.digest, size: base.size });
  });
  assert.deepEqual(robot.uploaded, [app.digest]);
});

test('a layer the engine does not hold cannot be sent whole: the error names it', async () => {
  const pushed = image([layer('app')]);
  const unknown = tarOf('never built').diffId;
  await withSource([pushed.digest], async (source) => {
    await assert.rejects(source.sendWhole(unknown, to, never), {
      message: `the engine's registry has no layer ${unknown.slice(7, 19)}`,
    });
    assert.equal(await source.tar(unknown), undefined);
  });
  assert.deepEqual(robot.requests, []);
});

test("a layer for a delta is unpacked into a file whose bytes are the diffID's; gzip or plain", async () => {
  const gz = layer('deps', OCI_GZIP);
  const plain = layer('app', OCI_TAR);
  const pushed = image([gz, plain]);
  const files: string[] = [];
  await withSource([pushed.digest], async (source) => {
    for (const l of [gz, plain]) {
      const saved = await source.tar(l.diffId);
      assert.ok(saved, l.mediaType);
      assert.equal(saved.size, l.tar.length);
      assert.deepEqual(readFileSync(saved.file), l.tar);
      assert.ok(saved.file.startsWith(tmpdir()), 'under the system temp dir');
      files.push(saved.file);
    }
  });
  for (const file of files) assert.ok(!existsSync(dirname(file)), 'the temporary directory is gone afterwards');
  assert.equal(teardown.size, 0, 'and no longer left to the teardown');
});

test('a blob whose bytes are not the layer its config names is not handed out for a delta', async () => {
  const app = layer('app');
  const pushed = image([app]);
  // The config names the layer's diffID, but the blob under that digest unpacks to something else.
  engine.blobs.set(app.digest, gzipSync(Buffer.from('other bytes')));
  await withSource([pushed.digest], async (source) => {
    assert.equal(await source.tar(app.diffId), undefined);
  });
});

test("a delta's basis comes from an earlier image in the engine's registry; an unreadable earlier image is no error", async () => {
  const base = layer('base');
  const old = layer('app v1');
  const earlier = image([base, old]);
  const pushed = image([base, layer('app v2')]);
  const gone = sha256Digest('an earlier image garbage-collected since');
  const broken = sha256Digest('an earlier image the registry fails to read');
  engine.intercept = (req, res) => {
    if (!req.url?.endsWith(`/manifests/${broken}`)) return false;
    res.writeHead(500).end('storage driver error');
    return true;
  };
  await withSource([pushed.digest, gone, broken, earlier.digest], async (source) => {
    const basis = await source.tar(old.diffId);
    assert.ok(basis);
    assert.deepEqual(readFileSync(basis.file), old.tar);
    assert.equal(source.config.descriptor.digest, pushed.config.digest, "the config is the new image's");
  });
});

test("a layer in both images is sent as the new image's blob", async () => {
  const { tar, diffId } = tarOf('base');
  // The same layer, compressed differently by two pushes: two blobs, one diffID.
  const older = gzipSync(tar, { level: 1 });
  const newer = gzipSync(tar, { level: 9 });
  assert.notDeepEqual(older, newer);
  const blobOf = (bytes: Buffer) => {
    engine.blobs.set(sha256Digest(bytes), bytes);
    return { mediaType: DOCKER_GZIP, digest: sha256Digest(bytes), size: bytes.length, diffId, tar };
  };
  const earlier = image([blobOf(older)]);
  const pushed = image([blobOf(newer)]);
  await withSource([pushed.digest, earlier.digest], async (source) => {
    assert.equal((await source.sendWhole(diffId, to, never)).digest, sha256Digest(newer));
  });
});

test("a new image the engine's registry cannot read fails at once, naming it; nothing is left behind", async () => {
  const missing = sha256Digest('never staged');
  let ran = false;
  await assert.rejects(
    withSource([missing], async () => {
      ran = true;
    }),
    { message: `the engine's registry has no readable image ${missing}` },
  );
  // A config that is not there leaves the image's layers unknown: the same error.
  const noConfig = image([layer('app')], { storeConfig: false });
  await assert.rejects(
    withSource([noConfig.digest], async () => {
      ran = true;
    }),
    { message: `the engine's registry has no readable image ${noConfig.digest}` },
  );
  assert.equal(ran, false);
  assert.equal(teardown.size, 0);
});

test('work that fails: its error reaches the caller and the temporary files go all the same', async () => {
  const app = layer('app');
  const pushed = image([app]);
  let file = '';
  const failure = new Error('delta failed');
  await assert.rejects(
    withSource([pushed.digest], async (source) => {
      file = (await source.tar(app.diffId))?.file ?? '';
      throw failure;
    }),
    (error) => error === failure,
  );
  assert.ok(file);
  assert.ok(!existsSync(dirname(file)));
  assert.equal(teardown.size, 0);
});

test('interrupted (the teardown runs first), the temporary files go with the teardown', async () => {
  const app = layer('app');
  const pushed = image([app]);
  let file = '';
  await withSource([pushed.digest], async (source) => {
    file = (await source.tar(app.diffId))?.file ?? '';
    assert.equal(teardown.size, 1);
    assert.deepEqual(await teardown.run(), []);
    assert.ok(!existsSync(dirname(file)));
  });
});
