// docker push and buildx --output type=registry to a registry on 127.0.0.1, against recording runners: the
// exact image built is tagged, pushed and untagged; the digest comes from docker's output or buildx's metadata.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildSpec } from '../../../scripts/lib/commands/local-docker.ts';
import { pushWithBuildx, pushWithDocker } from '../../../scripts/lib/push/docker-push.ts';
import type { Laptop } from '../../../scripts/lib/runner/laptop.ts';
import { type RecordedCommand, RecordingRunner, type Responder } from '../../../scripts/lib/runner/recording-runner.ts';
import { CommandError, type CommandResult } from '../../../scripts/lib/runner/runner.ts';
import { Teardown } from '../../../scripts/lib/runner/teardown.ts';
import { digest, OptionsRunner } from '../../support/deploy-harness.ts';

const BUILT = digest('1');
const PUSHED = digest('a');
const TARGET = '127.0.0.1:5050/eurobot2023:navigation';
const SPEC: BuildSpec = { platform: 'linux/arm64', tag: 'eurobot2023:navigation', dockerfile: join('p', 'Dockerfile'), context: 'p' };
const PUSH_OUTPUT = `The push refers to repository [${TARGET.split(':navigation')[0]}]\n5f70bf18a086: Pushed\nnavigation: digest: ${PUSHED} size: 1570\n`;

function laptop(respond: Responder) {
  const log: RecordedCommand[] = [];
  const local = new OptionsRunner(new RecordingRunner('laptop', log, respond));
  const teardown = new Teardown();
  const value: Laptop = {
    local,
    localTeardown: new RecordingRunner('laptop teardown', log, () => undefined),
    teardown,
    signal: new AbortController().signal,
  };
  return { laptop: value, local, teardown, log, commands: () => log.map((entry) => `${entry.where}: ${entry.argv.join(' ')}`) };
}

const options = () => ({ signal: new AbortController().signal, onOutput: () => undefined });

test("the image built is tagged by its ID, pushed with the caller's signal and output, and the tag dropped", async () => {
  let heldDuringPush: number | undefined;
  const side = laptop((argv) => {
    if (argv[2] === 'push') {
      heldDuringPush = side.teardown.size;
      return { stdout: PUSH_OUTPUT };
    }
    return undefined;
  });
  const given = options();
  assert.equal(await pushWithDocker(side.laptop, BUILT, TARGET, given), PUSHED);
  assert.deepEqual(side.commands(), [
    `laptop: docker image tag ${BUILT} ${TARGET}`,
    `laptop: docker image push ${TARGET}`,
    `laptop teardown: docker image rm --no-prune ${TARGET}`,
  ]);
  assert.equal(side.local.calls[1].options, given, 'the push is stoppable and shows its progress');
  assert.equal(heldDuringPush, 1, 'while pushing, the temporary tag is left to the teardown (Ctrl-C removes it)');
  assert.equal(side.teardown.size, 0, 'and no longer once it is removed');
});

test('a push that prints no digest fails naming its target, and the tag is still removed', async () => {
  const side = laptop((argv) => (argv[2] === 'push' ? { stdout: 'navigation: Pushed\n' } : undefined));
  await assert.rejects(pushWithDocker(side.laptop, BUILT, TARGET, options()), { message: `docker push ${TARGET} printed no digest` });
  assert.equal(side.commands().at(-1), `laptop teardown: docker image rm --no-prune ${TARGET}`);
  assert.equal(side.teardown.size, 0);
});

test("a failed push gives docker's last words; the tag is still removed", async () => {
  const failed: Partial<CommandResult> = { code: 1, stderr: 'Get "http://127.0.0.1:5050/v2/": connection refused\n' };
  const side = laptop((argv) => (argv[2] === 'push' ? failed : undefined));
  await assert.rejects(pushWithDocker(side.laptop, BUILT, TARGET, options()), (error) => {
    assert.ok(error instanceof CommandError);
    assert.equal(error.message, `docker push ${TARGET} failed on laptop (exit 1): Get "http://127.0.0.1:5050/v2/": connection refused`);
    return true;
  });
  assert.equal(side.commands().at(-1), `laptop teardown: docker image rm --no-prune ${TARGET}`);
  assert.equal(side.teardown.size, 0);
});

test('a tag that fails stops there: nothing pushed, nothing to untag', async () => {
  const side = laptop((argv) => (argv[2] === 'tag' ? { code: 1, stderr: 'Error: No such image\n' } : undefined));
  await assert.rejects(pushWithDocker(side.laptop, BUILT, TARGET, options()), {
    message: 'tagging 111111111111 for the push failed on laptop (exit 1): Error: No such image',
  });
  assert.deepEqual(side.commands(), [`laptop: docker image tag ${BUILT} ${TARGET}`]);
  assert.equal(side.teardown.size, 0);
});

/** The --metadata-file paths buildx was given. */
const files: string[] = [];

/** buildx as it runs: writes `metadata` to the --metadata-file its argv names. */
const buildx =
  (metadata: string | undefined, result: Partial<CommandResult> = {}): Responder =>
  (argv) => {
    const file = argv[argv.indexOf('--metadata-file') + 1];
    files.push(file);
    if (metadata !== undefined) writeFileSync(file, metadata);
    return result;
  };

test('buildx builds straight into the registry; the digest is the one its metadata file reports', async () => {
  const side = laptop(buildx(JSON.stringify({ 'containerimage.digest': PUSHED, 'containerimage.config.digest': BUILT })));
  const given = options();
  assert.equal(await pushWithBuildx(side.laptop, SPEC, TARGET, given), PUSHED);
  const [argv] = side.log.map((entry) => entry.argv);
  assert.deepEqual(argv.slice(0, 3), ['docker', 'buildx', 'build']);
  assert.equal(argv[argv.indexOf('--tag') + 1], TARGET);
  assert.equal(argv[argv.indexOf('--output') + 1], 'type=registry');
  assert.equal(argv[argv.indexOf('--platform') + 1], 'linux/arm64');
  assert.equal(side.log.length, 1);
  assert.equal(side.local.calls[0].options, given);
  assert.ok(!existsSync(files.at(-1) ?? ''), 'the metadata file is removed afterwards');
});

test('buildx that reports no digest fails naming the target', async () => {
  for (const metadata of [undefined, '{}', '{"containerimage.digest": null}']) {
    const side = laptop(buildx(metadata));
    await assert.rejects(pushWithBuildx(side.laptop, SPEC, TARGET, options()), {
      message: `buildx pushed ${TARGET} but reported no digest`,
    });
  }
});

test("a failed buildx push gives buildx's last words", async () => {
  const side = laptop(buildx(undefined, { code: 1, stderr: 'ERROR: failed to push: connection reset by peer\n' }));
  await assert.rejects(pushWithBuildx(side.laptop, SPEC, TARGET, options()), {
    name: 'CommandError',
    message: `docker buildx build --output type=registry to ${TARGET} failed on laptop (exit 1): ERROR: failed to push: connection reset by peer`,
  });
});
