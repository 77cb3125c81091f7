// The bench's processes go through the product's startProcess and fail with its CommandError; its flags with UsageError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launch, runArgv, runPipeline, stopChildren } from '../../../scripts/dev/bench/child-processes.ts';
import { parseBenchArgs } from '../../../scripts/dev/bench/command-line.ts';
import { UsageError } from '../../../scripts/lib/config/errors.ts';
import { CommandError } from '../../../scripts/lib/runner/runner.ts';

const node = (code: string): string[] => [process.execPath, '-e', code];

test('runArgv throws the product CommandError on a non-zero exit, unless allowFail', async () => {
  await assert.rejects(
    runArgv(node('process.stderr.write("disk full"); process.exit(4)')),
    (error: unknown) =>
      error instanceof CommandError && error.result.code === 4 && /failed on the bench host \(exit 4\): disk full$/.test(error.message),
  );
  const allowed = await runArgv(node('process.stdout.write("out"); process.exit(4)'), { allowFail: true });
  assert.deepEqual([allowed.code, allowed.stdout], [4, 'out']);
});

test('runPipeline feeds each stage into the next and names every stage that failed', async () => {
  const piped = await runPipeline([
    node('process.stdout.write("abc")'),
    node('process.stdin.on("data", (d) => process.stdout.write(String(d).toUpperCase()))'),
  ]);
  assert.equal(piped.stdout, 'ABC');
  await assert.rejects(
    runPipeline([node('process.exit(3)'), node('process.stdin.resume(); process.stdin.on("end", () => process.exit(5))')]),
    /exit 3[\s\S]*exit 5/,
  );
});

test('stopChildren ends every live child with its whole process group', async () => {
  const running = launch(node('setTimeout(() => {}, 60_000)'), { group: true });
  await stopChildren();
  assert.match((await running.done).stderr, /killed by SIGTERM/);
});

test('bench flags: a wrong value is the product UsageError', () => {
  assert.throws(
    () => parseBenchArgs(['--rounds', '0']),
    (error: unknown) => error instanceof UsageError && /--rounds must be an integer/.test(error.message),
  );
  assert.throws(() => parseBenchArgs(['--scenario', 'nope']), UsageError);
  assert.throws(() => parseBenchArgs(['--bogus']), UsageError);
});
