// The laptop's build, against a recording runner whose answers stand in for docker: it writes the
// --iidfile or --metadata-file docker would, from the path the argv names.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildSpec } from '../../../scripts/lib/commands/local-docker.ts';
import type { BuildPath } from '../../../scripts/lib/image-build/build-job.ts';
import { describeLocalImage, metadataValue, runBuild } from '../../../scripts/lib/image-build/laptop-build.ts';
import { type RecordedCommand, RecordingRunner, type Responder } from '../../../scripts/lib/runner/recording-runner.ts';
import type { CommandResult } from '../../../scripts/lib/runner/runner.ts';
import { tempDir } from '../../support/cli.ts';
import { digest, OptionsRunner } from '../../support/deploy-harness.ts';

const SPEC: BuildSpec = {
  platform: 'linux/arm64',
  tag: 'eurobot2023:navigation',
  dockerfile: join('project', 'navigation', 'Dockerfile'),
  context: 'project',
};
const ID = digest('1');
const MANIFEST = digest('a');
const PUSHED = digest('b');
const FINGERPRINT = `linux/arm64 2026-01-01T00:00:00Z ["${digest('d')}"] null ["bash"] [] {} "" ""`;

/** `docker image inspect` of a local image: ID, size and RepoDigests, then the fingerprint. */
const inspected = (id: string, repoDigests: string[] = []) => ({
  stdout: `${[id, '123456789', ...repoDigests].join(' ')}\n${FINGERPRINT}\n`,
});
const NOT_LOCAL: Partial<CommandResult> = { code: 1, stderr: 'Error: No such image: eurobot2023:navigation\n' };

/** The value after `flag` in an argv. */
const after = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];

interface Docker {
  /** What `docker build` writes to --iidfile, or buildx to --metadata-file (nothing when undefined). */
  writes?: string;
  build?: Partial<CommandResult>;
  inspect?: Partial<CommandResult>;
}

function laptop(docker: Docker) {
  const log: RecordedCommand[] = [];
  const files: string[] = [];
  const respond: Responder = (argv) => {
    if (argv[1] === 'build' || argv[2] === 'build') {
      const file = argv[1] === 'build' ? after(argv, '--iidfile') : after(argv, '--metadata-file');
      files.push(file);
      if (docker.writes !== undefined) writeFileSync(file, docker.writes);
      return docker.build;
    }
    if (argv[1] === 'image' && argv[2] === 'inspect') return docker.inspect ?? NOT_LOCAL;
    return undefined;
  };
  const runner = new OptionsRunner(new RecordingRunner('laptop', log, respond));
  return { runner, log, files, argvs: () => log.map((entry) => entry.argv) };
}

for (const [path, env] of [
  ['buildkit', { DOCKER_BUILDKIT: '1' }],
  ['legacy', undefined],
] as [BuildPath, Record<string, string> | undefined][]) {
  test(`docker build (${path}): the image is the one --iidfile names, described by that ID`, async () => {
    const docker = laptop({ writes: `${ID}\n`, inspect: inspected(ID, [`127.0.0.1:5000/eurobot2023@${PUSHED}`]) });
    const onOutput = () => undefined;
    const built = await runBuild(docker.runner, path, SPEC, onOutput);
    assert.deepEqual(built, { id: ID, localId: ID, sizeBytes: 123456789, digests: [PUSHED], fingerprint: FINGERPRINT });
    const [build, inspect] = docker.log;
    assert.deepEqual(build.argv.slice(0, 6), ['docker', 'build', '--platform', 'linux/arm64', '--tag', SPEC.tag]);
    assert.deepEqual(build.argv.slice(-3), ['--file', SPEC.dockerfile, SPEC.context]);
    assert.deepEqual(
      build.env,
      env,
      path === 'buildkit' ? 'BuildKit asked for by DOCKER_BUILDKIT=1' : 'no variable for the legacy builder',
    );
    assert.equal(docker.runner.calls[0].options?.onOutput, onOutput, "the build's output goes to the caller");
    assert.equal(inspect.argv.at(-1), ID, 'inspected by the ID built, not by the tag another build may have moved');
    assert.equal(docker.log.length, 2);
    assert.ok(!existsSync(docker.files[0]), 'the --iidfile is removed afterwards');
  });
}

test('docker build that writes no image ID fails saying so', async () => {
  const docker = laptop({ writes: '  \n' });
  await assert.rejects(runBuild(docker.runner, 'buildkit', SPEC), {
    message: 'docker build of eurobot2023:navigation wrote no image ID to --iidfile',
  });
  const none = laptop({});
  await assert.rejects(runBuild(none.runner, 'legacy', SPEC), /wrote no image ID/);
});

test("a failed build: the build's last 3 lines and docker's last 2, without the advice to install buildx", async () => {
  const docker = laptop({
    build: {
      code: 1,
      stdout:
        'Step 1/3 : FROM ros:humble\nStep 2/3 : RUN colcon build\nStarting >>> nav\n\nerror: nav.cpp:12: expected ;\nFailed <<< nav\n',
      stderr:
        'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n' +
        '            Install the buildx component to build images with BuildKit:\n' +
        '            https://docs.docker.com/go/buildx/\n' +
        'The command returned a non-zero code: 1\n',
    },
  });
  await assert.rejects(runBuild(docker.runner, 'legacy', SPEC), {
    message:
      'docker build of eurobot2023:navigation (linux/arm64) failed (exit 1): Starting >>> nav | error: nav.cpp:12: expected ; | Failed <<< nav | The command returned a non-zero code: 1',
  });
  assert.equal(docker.log.length, 1, 'nothing inspected after a failure');
  assert.ok(!existsSync(docker.files[0]));
});

test('a failed build with nothing to show says so', async () => {
  const docker = laptop({ build: { code: 137 } });
  await assert.rejects(runBuild(docker.runner, 'buildkit', SPEC), {
    message: 'docker build of eurobot2023:navigation (linux/arm64) failed (exit 137): (no output)',
  });
});

test('buildx: the ID is the config digest from --metadata-file; the manifest digest joins what the local image is known by', async () => {
  const metadata = JSON.stringify({ 'containerimage.config.digest': ID, 'containerimage.digest': MANIFEST, 'image.name': SPEC.tag });
  const local = digest('e');
  const docker = laptop({
    writes: metadata,
    inspect: inspected(local, [`127.0.0.1:5000/eurobot2023@${PUSHED}`, `127.0.0.1:5001/eurobot2023@${MANIFEST}`]),
  });
  const onOutput = () => undefined;
  const built = await runBuild(docker.runner, 'buildx', SPEC, onOutput);
  assert.equal(docker.runner.calls[0].options?.onOutput, onOutput);
  assert.deepEqual(built, { id: ID, localId: local, sizeBytes: 123456789, digests: [MANIFEST, PUSHED], fingerprint: FINGERPRINT });
  const [build, inspect] = docker.argvs();
  assert.deepEqual(build.slice(0, 3), ['docker', 'buildx', 'build']);
  assert.equal(after(build, '--output'), 'type=image,push=false');
  assert.equal(after(build, '--platform'), 'linux/arm64');
  assert.equal(inspect.at(-1), SPEC.tag, "buildx's image is looked up by its tag");
  assert.deepEqual(docker.log[0].env, undefined);
  assert.ok(!existsSync(docker.files[0]), 'the metadata file is removed afterwards');
});

test("buildx on the containerd store (no config digest): the manifest digest is the image's ID", async () => {
  const docker = laptop({ writes: JSON.stringify({ 'containerimage.digest': MANIFEST }) });
  assert.deepEqual(await runBuild(docker.runner, 'buildx', SPEC), { id: MANIFEST, digests: [MANIFEST] });
});

test('buildx into a docker-container builder: no local image, so no local ID, size or fingerprint', async () => {
  const docker = laptop({ writes: JSON.stringify({ 'containerimage.config.digest': ID, 'containerimage.digest': MANIFEST }) });
  assert.deepEqual(await runBuild(docker.runner, 'buildx', SPEC), { id: ID, digests: [MANIFEST] });
});

test('buildx that reports no digest fails saying where it looked', async () => {
  for (const writes of [undefined, '', '{"containerimage.digest": 7}', 'not json']) {
    const docker = laptop({ writes });
    await assert.rejects(
      runBuild(docker.runner, 'buildx', SPEC),
      { message: 'docker buildx build of eurobot2023:navigation reported no image digest in --metadata-file' },
      String(writes),
    );
  }
});

test('a failed buildx build names buildx and gives its last words', async () => {
  const docker = laptop({ build: { code: 1, stderr: 'ERROR: failed to solve: process "/bin/sh -c make" did not complete\n' } });
  await assert.rejects(runBuild(docker.runner, 'buildx', SPEC), {
    message:
      'docker buildx build of eurobot2023:navigation (linux/arm64) failed (exit 1): ERROR: failed to solve: process "/bin/sh -c make" did not complete',
  });
});

test('describeLocalImage: an image the laptop lacks has no ID and no digests; junk RepoDigests are dropped', async () => {
  assert.deepEqual(await describeLocalImage(laptop({}).runner, 'eurobot2023:navigation'), { digests: [] });
  const docker = laptop({ inspect: { stdout: `${ID} 0 127.0.0.1:5000/eurobot2023@${PUSHED} garbage\n` } });
  assert.deepEqual(await describeLocalImage(docker.runner, 'eurobot2023:navigation'), {
    localId: ID,
    sizeBytes: undefined,
    digests: [PUSHED],
  });
});

test('metadataValue: a string value, else undefined (absent file, bad JSON, another type)', () => {
  const dir = tempDir('rd-laptop-build-');
  const file = join(dir, 'metadata.json');
  assert.equal(metadataValue(file, 'containerimage.digest'), undefined);
  writeFileSync(file, '{"containerimage.digest": "sha256:abc", "n": 1}');
  assert.equal(metadataValue(file, 'containerimage.digest'), 'sha256:abc');
  assert.equal(metadataValue(file, 'n'), undefined);
  assert.equal(metadataValue(file, 'missing'), undefined);
  writeFileSync(file, '{"containerimage.digest": ');
  assert.equal(metadataValue(file, 'containerimage.digest'), undefined);
});
