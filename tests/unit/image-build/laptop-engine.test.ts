import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliCarriesBuildkit, imageStoreOf } from '../../../scripts/lib/commands/engine-info.ts';
import { digestsOf, sameImage } from '../../../scripts/lib/commands/image-identity.ts';
import { platformVerdict } from '../../../scripts/lib/deploy/platform-verdict.ts';
import { chooseBuildPath } from '../../../scripts/lib/image-build/laptop-engine.ts';

const CONFIG = `sha256:${'c'.repeat(64)}`;
const MANIFEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

test('same image: the classic store ID is the config digest', () => {
  assert.ok(sameImage({ id: CONFIG, digests: [] }, { id: CONFIG, digests: [] }));
  assert.ok(!sameImage({ id: CONFIG, digests: [] }, { id: OTHER, digests: [] }));
});

test('same image: a containerd-store robot names it by the digest it was pulled as', () => {
  assert.ok(
    sameImage(
      { id: CONFIG, digests: [MANIFEST] },
      { id: MANIFEST, digests: [`127.0.0.1:5000/app@${MANIFEST}`].flatMap((d) => digestsOf([d])) },
    ),
  );
  assert.ok(
    sameImage({ id: MANIFEST, digests: [] }, { id: CONFIG, digests: [MANIFEST] }),
    'classic robot that pulled the manifest a containerd laptop built',
  );
});

test('same image: content fingerprints decide when the digests do not match', () => {
  assert.ok(
    sameImage({ id: CONFIG, digests: [], fingerprint: 'linux/amd64 t [l]' }, { id: OTHER, digests: [], fingerprint: 'linux/amd64 t [l]' }),
  );
  assert.ok(
    !sameImage({ id: CONFIG, digests: [], fingerprint: 'linux/amd64 t [l]' }, { id: OTHER, digests: [], fingerprint: 'linux/amd64 t [k]' }),
  );
  assert.ok(!sameImage({ id: CONFIG, digests: [] }, { id: OTHER, digests: [] }), 'no fingerprint on either side is not a match');
});

test('digestsOf keeps each RepoDigests digest once and ignores junk', () => {
  assert.deepEqual(digestsOf([`a@${MANIFEST}`, `localhost:5001/a@${MANIFEST}`, 'a:tag', '']), [MANIFEST]);
});

test('engine facts: image store and whether the CLI carries BuildKit', () => {
  assert.equal(imageStoreOf('[["driver-type","io.containerd.snapshotter.v1"]]'), 'containerd');
  assert.equal(imageStoreOf('[["Backing Filesystem","extfs"],["Supports d_type","true"]]'), 'classic');
  assert.ok(cliCarriesBuildkit('20.10.24+dfsg1'));
  assert.ok(!cliCarriesBuildkit('28.2.2'));
  assert.ok(!cliCarriesBuildkit('garbage'));
});

test('build path: buildx when installed, else the CLI BuildKit of a CLI older than 23, else the legacy builder', () => {
  assert.equal(chooseBuildPath(true, '20.10.24'), 'buildx');
  assert.equal(chooseBuildPath(false, '20.10.24'), 'buildkit');
  assert.equal(chooseBuildPath(false, '28.2.2'), 'legacy');
});

test('platform: native, emulated through a qemu handler the robot enabled, or a mismatch', () => {
  assert.equal(platformVerdict('linux/arm64', { platform: 'linux/arm64', emulates: [] }), 'native');
  assert.equal(platformVerdict('linux/arm/v7', { platform: 'linux/arm', emulates: [] }), 'native');
  assert.equal(platformVerdict('linux/arm64', { platform: 'linux/amd64', emulates: ['aarch64', 'arm'] }), 'emulated');
  assert.equal(platformVerdict('linux/arm64', { platform: 'linux/amd64', emulates: ['arm'] }), 'mismatch');
  assert.equal(
    platformVerdict('linux/amd64', { platform: 'linux/arm64', emulates: [] }),
    'mismatch',
    'a Jetson with no qemu cannot run amd64 images',
  );
  assert.equal(
    platformVerdict('linux/mips64le', { platform: 'linux/amd64', emulates: ['mips64el'] }),
    'mismatch',
    'unknown handler names are not guessed',
  );
});
