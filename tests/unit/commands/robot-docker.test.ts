import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe, parsePullAndTag, parseRollback } from '../../../scripts/lib/commands/robot-docker.ts';

test('probe output: engine, images with digests and fingerprint, emulators, the registry; an image not listed is absent', () => {
  const id = `sha256:${'c'.repeat(64)}`;
  const digest = `sha256:${'d'.repeat(64)}`;
  const parsed = parseProbe(
    `engine linux/amd64 26.1.5\nimage img:nav ${id} 127.0.0.1:5000/img@${digest}\nfingerprint img:nav linux/arm64 2026 ["sha256:1"] null\n` +
      'emulates aarch64\nstatus=running\nbind=127.0.0.1:5001\n',
  );
  assert.equal(parsed.platform, 'linux/amd64');
  assert.equal(parsed.version, '26.1.5');
  assert.deepEqual(parsed.emulates, ['aarch64']);
  assert.deepEqual(parsed.registry, { status: 'running', port: 5001 });
  assert.deepEqual(parsed.images.get('img:nav'), { id, digests: [digest], fingerprint: 'linux/arm64 2026 ["sha256:1"] null' });
  assert.equal(parsed.images.get('img:other'), undefined);
});

test('pull & tag and rollback report what they moved; "none" is no previous image', () => {
  assert.deepEqual(parsePullAndTag('deployed sha256:a\nprevious none\n'), { deployed: 'sha256:a', previous: undefined });
  assert.deepEqual(parsePullAndTag('deployed sha256:a\nprevious sha256:b\n'), { deployed: 'sha256:a', previous: 'sha256:b' });
  assert.deepEqual(parseRollback('current sha256:c\nprevious sha256:d\n'), { current: 'sha256:c', previous: 'sha256:d' });
});
