// sendImage's whole-layer part (no layer by delta, which needs the robot's shell): a connected link from the
// deploy harness whose tunnel is a stand-in pointing at an in-process registry, and a layer source stand-in.
// The robot must end with a manifest naming the reused and sent layers in order, under its digest and WS.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { PhaseClock } from '../../../scripts/lib/delta/phase-clock.ts';
import { type Descriptor, OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST, sha256Digest } from '../../../scripts/lib/net/manifest.ts';
import { RegistryClient } from '../../../scripts/lib/net/registry-client.ts';
import type { LayerSource } from '../../../scripts/lib/push/layer-source.ts';
import { sendImage } from '../../../scripts/lib/push/send-image.ts';
import type { Shipment } from '../../../scripts/lib/push/shipment.ts';
import type { UploadPlan } from '../../../scripts/lib/push/upload-plan.ts';
import { rememberedLayers, uploadedLayersFile } from '../../../scripts/lib/push/uploaded-layers.ts';
import { tempDir } from '../../support/cli.ts';
import { stepHarness } from '../../support/deploy-harness.ts';
import { type StandInRegistry, startRegistry } from '../../support/stand-in-registry.ts';

// The uploaded layers and link rates a push records go to a throwaway cache.
process.env.XDG_CACHE_HOME = tempDir('rd-send-image-cache-');

const IMAGE = 'app';
let robot: StandInRegistry;
let registry: RegistryClient;

beforeEach(async () => {
  robot = await startRegistry(IMAGE);
  registry = new RegistryClient(() => robot.port, IMAGE);
});
afterEach(async () => {
  registry.close();
  await robot.close();
});

const layerBytes = (name: string) => Buffer.from(`tar of ${name}\n`.repeat(20));
const diffIdOf = (name: string) => sha256Digest(layerBytes(name));
const CONFIG_BYTES = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
const CONFIG: Descriptor = { mediaType: OCI_CONFIG, digest: sha256Digest(CONFIG_BYTES), size: CONFIG_BYTES.length };

/** A source that sends a layer whole as an uncompressed blob (digest = diffID), and keeps which it sent. */
function source(failOn?: string) {
  const sent: string[] = [];
  const value: LayerSource = {
    config: { descriptor: CONFIG, bytes: CONFIG_BYTES },
    describe: (count, bytes) => `sent ${count} layer(s) of ${bytes} B`,
    tar: async () => undefined,
    sendWhole: async (diffId, to, signal) => {
      signal.throwIfAborted();
      if (diffId === failOn) throw new Error(`the robot's disk is full while sending ${diffId.slice(7, 19)}`);
      const name = names.get(diffId) ?? '';
      const bytes = layerBytes(name);
      await to.upload(diffId, bytes);
      sent.push(name);
      return { mediaType: OCI_LAYER_TAR, digest: diffId, size: bytes.length };
    },
  };
  return { value, sent };
}
const names = new Map(['base', 'deps', 'app'].map((name) => [diffIdOf(name), name]));

/** A shipment to the harness's robot whose tunnel is the stand-in registry. */
async function shipment(noDelta?: string): Promise<Shipment> {
  const { ctx, run } = await stepHarness();
  run.link.tunnelStandIn = {
    port: robot.port,
    bytesToRobot: () => 0,
    use: (work) => work(),
    refused: () => 0,
    isOpen: () => true,
    close: async () => undefined,
  };
  const build = [...ctx.builds.values()][0];
  return {
    laptop: ctx,
    image: IMAGE,
    ws: 'navigation',
    build,
    robot: run.robot,
    link: run.link,
    ...(noDelta ? { noDelta } : {}),
    report: () => undefined,
    onBytes: () => undefined,
    phases: new PhaseClock(),
  };
}

/** The base layer already on the robot (reused), deps and app sent whole. */
function plan(): UploadPlan {
  const base = layerBytes('base');
  robot.blobs.set(diffIdOf('base'), base);
  const reused: Descriptor = { mediaType: OCI_LAYER_TAR, digest: diffIdOf('base'), size: base.length };
  return {
    layers: [
      { diffId: diffIdOf('base'), reuse: reused },
      { diffId: diffIdOf('deps'), upload: true },
      { diffId: diffIdOf('app'), upload: true },
    ],
    noDelta: [],
  };
}

test('reused layers stay, the others are sent whole; the manifest names them in order under its digest and WS', async () => {
  const layers = plan();
  const from = source();
  const sent = await sendImage(
    await shipment('no delta: first deploy of this workspace to the robot'),
    layers,
    from.value,
    registry,
    'no delta: first deploy of this workspace to the robot',
  );

  assert.deepEqual(from.sent, ['deps', 'app']);
  const manifest = robot.manifests.get('navigation');
  assert.ok(manifest);
  assert.equal(manifest.mediaType, OCI_MANIFEST);
  assert.equal(sent.digest, sha256Digest(manifest.text));
  assert.deepEqual(robot.manifests.get(sent.digest), manifest);
  const parsed = JSON.parse(manifest.text) as { config: Descriptor; layers: Descriptor[] };
  assert.deepEqual(parsed.config, CONFIG);
  assert.deepEqual(
    parsed.layers.map((l) => l.digest),
    ['base', 'deps', 'app'].map(diffIdOf),
  );
  assert.equal(sent.configDigest, CONFIG.digest);
  assert.deepEqual(robot.blobs.get(CONFIG.digest), CONFIG_BYTES, 'the config the robot lacked is uploaded');
  const bytes = layerBytes('deps').length + layerBytes('app').length;
  assert.match(
    sent.note,
    new RegExp(
      `^navigation: sent 2 layer\\(s\\) of ${bytes} B \\(no delta: first deploy of this workspace to the robot\\) \\(layers \\d+\\.\\d\\d\\)$`,
    ),
  );
});

test('the layers sent whole are remembered, so a robot whose tags lost them is asked with one HEAD', async () => {
  await sendImage(await shipment(), plan(), source().value, registry, '');
  const remembered = rememberedLayers(uploadedLayersFile());
  assert.equal(remembered.get(diffIdOf('app'))?.digest, diffIdOf('app'));
  assert.equal(remembered.get(diffIdOf('deps'))?.digest, diffIdOf('deps'));
});

test('every layer already on the robot: nothing sent, the config not sent again, the note says so', async () => {
  robot.blobs.set(CONFIG.digest, CONFIG_BYTES);
  const base = layerBytes('base');
  robot.blobs.set(diffIdOf('base'), base);
  const layers: UploadPlan = {
    layers: [{ diffId: diffIdOf('base'), reuse: { mediaType: OCI_LAYER_TAR, digest: diffIdOf('base'), size: base.length } }],
    noDelta: [],
  };
  const from = source();
  const sent = await sendImage(await shipment(), layers, from.value, registry, '');
  assert.deepEqual(from.sent, []);
  assert.deepEqual(robot.uploaded, []);
  assert.match(sent.note, /^navigation: every layer already on the robot \(layers \d/);
  assert.ok(robot.manifests.has('navigation'));
});

test("a layer that cannot be sent fails the push: no manifest, so the robot's WS does not move", async () => {
  const from = source(diffIdOf('app'));
  await assert.rejects(sendImage(await shipment(), plan(), from.value, registry, ''), /the robot's disk is full while sending/);
  assert.equal(robot.manifests.size, 0);
});
