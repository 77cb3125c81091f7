// scripts/lib/runner/child-process.ts, the one module that starts programs without a shell, and the ProcessRunner on it.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { runProcess, startProcess } from '../../../scripts/lib/runner/child-process.ts';
import { ProcessRunner } from '../../../scripts/lib/runner/process-runner.ts';
import { CommandError, runChecked } from '../../../scripts/lib/runner/runner.ts';
import { posixOnly } from '../../support/skip.ts';

const node = (code: string): string[] => [process.execPath, '-e', code];

test('runProcess resolves with the exit code and both outputs, also when the program fails', async () => {
  const result = await runProcess(node('process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'));
  assert.deepEqual(result, { code: 3, stdout: 'out', stderr: 'err' });
});

test('runProcess writes input to stdin, and passes arguments without a shell', async () => {
  const echo = 'process.stdin.pipe(process.stdout); process.stdin.on("end", () => process.stdout.write(process.argv[1]))';
  const result = await runProcess([...node(echo), '$HOME; rm -rf /'], { input: 'piped ' });
  assert.equal(result.stdout, 'piped $HOME; rm -rf /');
});

test('runProcess kills a program past its time limit and says so', async () => {
  const result = await runProcess(node('setTimeout(() => {}, 60_000)'), { timeoutMs: 200 });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /killed by SIGKILL \(time limit 200 ms\)/);
});

test('runProcess stops a program when its signal aborts', async () => {
  const stop = new AbortController();
  setTimeout(() => stop.abort(new Error('link lost')), 100);
  const result = await runProcess(node('setTimeout(() => {}, 60_000)'), { signal: stop.signal });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /stopped \(SIGKILL\): Error: link lost/);
});

test('runProcess rejects, naming the program and what to do, when it is not on PATH', async () => {
  await assert.rejects(
    runProcess(['rd-no-such-program-here', '--version']),
    /^ProgramNotFoundError: rd-no-such-program-here not found: it is not on PATH\. install rd-no-such-program-here, or add the folder/,
  );
});

test('startProcess streams stdout as bytes', async () => {
  const child = startProcess(node('process.stdout.write(Buffer.from([0, 255, 10, 128]))'));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve) => child.on('close', resolve));
  assert.deepEqual([...Buffer.concat(chunks)], [0, 255, 10, 128]);
});

test("ProcessRunner: its environment plus the command's additions, its time limit, and the product's CommandError", async () => {
  const runner = new ProcessRunner('the sim host', { PATH: process.env.PATH, BASE: 'base' }, 20_000);
  const env = await runner.run(node('process.stdout.write(`${process.env.BASE} ${process.env.EXTRA} ${process.env.HOME}`)'), {
    env: { EXTRA: 'extra' },
  });
  assert.equal(env.stdout, 'base extra undefined');
  const slow = await new ProcessRunner('the sim host', process.env, 200).run(node('setTimeout(() => {}, 60_000)'));
  assert.match(slow.stderr, /time limit 200 ms/);
  const failed = runChecked(runner, node('process.stderr.write("no such netns"); process.exit(1)'), 'adding a netns');
  await assert.rejects(
    failed,
    (error: unknown) =>
      error instanceof CommandError && /^adding a netns failed on the sim host \(exit 1\): no such netns$/.test(error.message),
  );
});

test('startProcess: a working directory, and a stream as stdin', async () => {
  const first = startProcess(node('process.stdout.write("from the first stage")'));
  const second = startProcess(
    node('process.stdin.pipe(process.stdout); process.stdin.on("end", () => process.stdout.write(` ${process.cwd()}`))'),
    { cwd: tmpdir(), stdin: first.stdout },
  );
  first.stdout.destroy();
  let out = '';
  second.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  await new Promise((resolve) => second.on('close', resolve));
  assert.equal(out, `from the first stage ${tmpdir()}`);
});

test('startProcess: a process group of its own', { skip: posixOnly('Windows has no process groups') }, async () => {
  const leader = startProcess(node('setTimeout(() => {}, 60_000)'), { group: true });
  const closed = new Promise((resolve) => leader.on('close', (_code, signal) => resolve(signal)));
  process.kill(-leader.pid!, 'SIGTERM');
  assert.equal(await closed, 'SIGTERM');
});
