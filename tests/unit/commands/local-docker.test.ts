import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as local from '../../../scripts/lib/commands/local-docker.ts';

const spec = { platform: 'linux/arm64', tag: 'eurobot2023:navigation', dockerfile: '/p/navigation/Dockerfile', context: '/p' };

test("buildx build (the post's step 1) keeps the image in the builder, without a provenance manifest a robot would pull", () => {
  const argv = local.buildxBuild(spec, '/tmp/m.json');
  assert.ok(argv.includes('--provenance=false'));
  assert.equal(argv[argv.indexOf('--output') + 1], 'type=image,push=false');
  assert.equal(argv.at(-1), '/p');
});

test("buildx push (the post's step 4) sends the same build to the tunnel's registry", () => {
  const argv = local.buildxPush(spec, 'localhost:5001/eurobot2023:navigation', '/tmp/m.json');
  assert.equal(argv[argv.indexOf('--output') + 1], 'type=registry');
  assert.equal(argv[argv.indexOf('--tag') + 1], 'localhost:5001/eurobot2023:navigation');
});

test('the push digest is read from docker push output, and nothing is made up when it is missing', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.equal(local.parsePushDigest(`nav: digest: ${digest} size: 942\n`), digest);
  assert.equal(local.parsePushDigest('nothing'), undefined);
});

test('leftover push tags are looked for under both loopback names', () => {
  const argv = local.listPushTags('img');
  assert.ok(argv.includes('reference=127.0.0.1:*/img') && argv.includes('reference=localhost:*/img'));
});
