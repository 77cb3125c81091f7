// The listr task of one shared build: what it runs, what the robots waiting on it get, and its title.
// The task function is called directly with a stand-in for listr's task wrapper (title and output only).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildJob, BuildPath, BuiltImage } from '../../../scripts/lib/image-build/build-job.ts';
import { buildTask } from '../../../scripts/lib/image-build/build-tasks.ts';
import { Deferred } from '../../../scripts/lib/runner/deferred.ts';
import { type RecordedCommand, RecordingRunner, type Responder } from '../../../scripts/lib/runner/recording-runner.ts';
import type { CommandResult, Runner, RunOptions } from '../../../scripts/lib/runner/runner.ts';
import { StepClock } from '../../../scripts/lib/runner/step-clock.ts';
import { digest } from '../../support/deploy-harness.ts';

const ID = digest('1');
const INSPECTED = `${ID} 2048 127.0.0.1:5000/eurobot2023@${digest('b')}\nlinux/amd64 fingerprint\n`;

function job(): BuildJob {
  return {
    platform: 'linux/amd64',
    ws: 'navigation',
    spec: { platform: 'linux/amd64', tag: 'eurobot2023:navigation', dockerfile: join('p', 'navigation', 'Dockerfile'), context: 'p' },
    result: new Deferred<BuiltImage>(),
  };
}

/** A laptop whose docker build writes ID to --iidfile (or buildx metadata) and prints `output` as it goes. */
class Laptop implements Runner {
  readonly where = 'laptop';
  readonly records = true;
  readonly log: RecordedCommand[] = [];
  private readonly inner: RecordingRunner;

  constructor(
    respond: Responder,
    private readonly output = '',
  ) {
    this.inner = new RecordingRunner('laptop', this.log, respond);
  }

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    if (argv.includes('build') && this.output) options?.onOutput?.(this.output);
    return this.inner.run(argv, options);
  }
}

const docker =
  (answers: { build?: Partial<CommandResult>; inspect?: Partial<CommandResult> } = {}): Responder =>
  (argv) => {
    if (argv.includes('build')) {
      if (answers.build?.code) return answers.build;
      const iid = argv.indexOf('--iidfile');
      const metadata = argv.indexOf('--metadata-file');
      if (iid > 0) writeFileSync(argv[iid + 1], ID);
      if (metadata > 0) writeFileSync(argv[metadata + 1], JSON.stringify({ 'containerimage.config.digest': ID }));
      return answers.build;
    }
    if (argv[2] === 'inspect') return answers.inspect ?? { stdout: INSPECTED };
    return undefined;
  };

/** What the robots waiting on the build got; fails, instead of hanging, when the task left them waiting. */
async function outcome(build: BuildJob): Promise<BuiltImage | Error> {
  const waiting = Symbol('waiting');
  const settled = await Promise.race([
    build.result.promise.then(
      (image) => image,
      (error: Error) => error,
    ),
    new Promise<typeof waiting>((resolve) => setImmediate(resolve, waiting)),
  ]);
  if (settled === waiting) assert.fail('the task ended but left the robots waiting on the build');
  return settled;
}

/** Runs the task as listr would, with a wrapper that keeps its title and output lines. */
async function runTask(task: ReturnType<typeof buildTask>) {
  const wrapper = { title: task.title as string, output: '', outputs: [] as string[] };
  const tracked = new Proxy(wrapper, {
    set(target, key, value) {
      if (key === 'output') target.outputs.push(value as string);
      return Reflect.set(target, key, value);
    },
  });
  const run = task.task as unknown as (ctx: unknown, task: typeof wrapper) => Promise<void>;
  const outcome = await run({}, tracked).then(
    () => undefined,
    (error: Error) => error,
  );
  return { ...wrapper, error: outcome };
}

for (const [path, builder] of [
  ['buildx', 'docker buildx build'],
  ['buildkit', 'docker build with BuildKit'],
  ['legacy', 'docker build, legacy builder: install buildx for BuildKit'],
] as [BuildPath, string][]) {
  test(`a build on the ${path} path: its title names the builder, and the robots get the image built`, async () => {
    const build = job();
    const laptop = new Laptop(docker());
    const clock = new StepClock();
    const task = buildTask({ local: laptop, buildPath: path }, build, clock, false);
    const title = `build eurobot2023:navigation for linux/amd64 (${builder})`;
    assert.equal(task.title, title);
    const ran = await runTask(task);
    assert.equal(ran.error, undefined);
    const built = await outcome(build);
    assert.ok(!(built instanceof Error));
    assert.equal(built.id, ID);
    assert.equal(built.localId, ID);
    assert.equal(ran.title, `${title}: ${'1'.repeat(12)}`);
    assert.deepEqual(
      clock.steps.map((step) => step.name),
      ['build navigation'],
    );
    assert.equal(laptop.log[0].argv[path === 'buildx' ? 2 : 1], 'build');
  });
}

test("interactive: the task shows the build's latest line, trimmed to 160 characters", async () => {
  const long = `#12 ${'x'.repeat(200)}`;
  const laptop = new Laptop(docker(), `#10 [2/3] RUN colcon build\n${long}\n`);
  const ran = await runTask(buildTask({ local: laptop, buildPath: 'buildkit' }, job(), new StepClock(), true));
  assert.deepEqual(ran.outputs, [long.slice(0, 160)]);
});

test('in CI (not interactive) the build prints nothing into the task', async () => {
  const laptop = new Laptop(docker(), 'Step 1/3 : FROM ros:humble\n');
  const ran = await runTask(buildTask({ local: laptop, buildPath: 'buildkit' }, job(), new StepClock(), false));
  assert.deepEqual(ran.outputs, []);
});

test('a failed build fails the task and every robot waiting on it with the same error', async () => {
  const build = job();
  const laptop = new Laptop(docker({ build: { code: 1, stderr: 'failed to solve: nav.cpp:12\n' } }));
  const ran = await runTask(buildTask({ local: laptop, buildPath: 'buildkit' }, build, new StepClock(), false));
  assert.match(
    ran.error?.message ?? '',
    /^build failed — docker build of eurobot2023:navigation \(linux\/amd64\) failed \(exit 1\): failed to solve/,
  );
  assert.equal(await outcome(build), ran.error);
});

test("existing images: the laptop's image is used as it is, nothing is built", async () => {
  const build = job();
  const laptop = new Laptop(docker());
  const task = buildTask({ local: laptop, buildPath: 'buildkit' }, build, new StepClock(), false, true);
  assert.equal(task.title, "use the laptop's eurobot2023:navigation");
  const ran = await runTask(task);
  assert.equal(ran.error, undefined);
  assert.deepEqual(await outcome(build), {
    id: ID,
    localId: ID,
    sizeBytes: 2048,
    digests: [digest('b')],
    fingerprint: 'linux/amd64 fingerprint',
  });
  assert.equal(ran.title, `use the laptop's eurobot2023:navigation: ${'1'.repeat(12)}`);
  assert.deepEqual(
    laptop.log.map((entry) => entry.argv.slice(0, 3)),
    [['docker', 'image', 'inspect']],
  );
  assert.equal(laptop.log[0].argv.at(-1), 'eurobot2023:navigation');
});

test('existing images: an image the laptop lacks fails the task and the robots, saying how to build it', async () => {
  const build = job();
  const laptop = new Laptop(docker({ inspect: { code: 1, stderr: 'Error: No such image\n' } }));
  const ran = await runTask(buildTask({ local: laptop, buildPath: 'legacy' }, build, new StepClock(), false, true));
  const message = 'no image eurobot2023:navigation on the laptop; build it first with `npm run build -- --ws navigation`';
  assert.equal(ran.error?.message, message);
  const waited = await outcome(build);
  assert.ok(waited instanceof Error);
  assert.equal(waited.message, message);
  assert.equal(waited, ran.error);
});

test("existing images with buildx: the image is in the builder's cache, so it is a (cached) build", async () => {
  const build = job();
  const laptop = new Laptop(docker());
  const task = buildTask({ local: laptop, buildPath: 'buildx' }, build, new StepClock(), false, true);
  assert.match(task.title as string, /^build eurobot2023:navigation/);
  await runTask(task);
  assert.deepEqual(laptop.log[0].argv.slice(0, 3), ['docker', 'buildx', 'build']);
  assert.equal(((await outcome(build)) as BuiltImage).id, ID);
});
