import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planUpload } from '../../../scripts/lib/push/upload-plan.ts';

const d = (n: number) => `sha256:${String(n).repeat(64)}`;
const gz = (n: number, size = 1e6) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d(n + 5), size });

test('upload plan: layers the robot holds are reused under OCI names, the rest are sent whole without an earlier image', () => {
  const plan = planUpload([d(1), d(2)], new Map([[d(1), gz(1)]]));
  assert.deepEqual(plan.layers, [
    { diffId: d(1), reuse: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(6), size: 1e6 } },
    { diffId: d(2), upload: true },
  ]);
  assert.deepEqual(plan.noDelta, []);
});

test('upload plan: a new layer takes the earlier layer at its place as basis, or the top one past the end', () => {
  const earlier = { layers: [gz(1), gz(3)], diffIds: [d(1), d(3)] };
  const plan = planUpload([d(1), d(2), d(4)], new Map([[d(1), gz(1)]]), earlier, () => ({ delta: true, why: '' }));
  assert.deepEqual(plan.layers.slice(1), [
    { diffId: d(2), basis: { diffId: d(3), blob: gz(3) } },
    { diffId: d(4), basis: { diffId: d(3), blob: gz(3) } },
  ]);
});

test('upload plan: a layer the choice turns down is sent whole, and its reason is given once', () => {
  const earlier = { layers: [gz(1, 10), gz(3, 10)], diffIds: [d(1), d(3)] };
  const plan = planUpload([d(2), d(4)], new Map(), earlier, () => ({ delta: false, why: 'too small' }));
  assert.deepEqual(
    plan.layers.map((layer) => 'upload' in layer),
    [true, true],
  );
  assert.deepEqual(plan.noDelta, ['too small']);
});
