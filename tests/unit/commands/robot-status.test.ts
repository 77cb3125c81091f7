import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameImage } from '../../../scripts/lib/commands/image-identity.ts';
import { parseRobotStatus } from '../../../scripts/lib/commands/robot-status.ts';

const id = (n: number) => `sha256:${String(n).repeat(64)}`;

test('status: the robot image comes with the digests it was pulled by and its fingerprint, so another store naming it differently is still in sync', () => {
  const report = parseRobotStatus(
    [
      `current nav ${id(1)} 2026-12-07 06:40:11.5 +0000 UTC`,
      `digests nav 127.0.0.1:5000/app@${id(2)}`,
      'fingerprint nav linux/amd64 2026-12-07T06:39:00Z ["sha256:aa"] null ["sh"] [] {} "" ""',
      'current vision missing',
      'registry running',
    ].join('\n'),
  );
  const nav = report.workspaces.get('nav');
  assert.deepEqual(nav?.identity, {
    id: id(1),
    digests: [id(2)],
    fingerprint: 'linux/amd64 2026-12-07T06:39:00Z ["sha256:aa"] null ["sh"] [] {} "" ""',
  });
  assert.equal(nav?.deployedAt?.toISOString(), '2026-12-07T06:40:11.500Z');
  assert.equal(report.workspaces.get('vision')?.identity, undefined);
  // A containerd laptop knows the image by its manifest digest; the classic robot by its config digest.
  assert.ok(nav?.identity && sameImage({ id: id(3), digests: [id(2)] }, nav.identity), 'the pulled digest is the laptop push');
  assert.ok(nav?.identity && sameImage({ id: id(3), digests: [], fingerprint: nav.identity.fingerprint }, nav.identity));
  assert.ok(nav?.identity && !sameImage({ id: id(3), digests: [], fingerprint: 'other' }, nav.identity));
});
