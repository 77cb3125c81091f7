// deploy --watch's view of the build context: what counts as a change, and the debounce.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ChangeBatch, ContextFilter, watchContext } from '../../../scripts/lib/watch/context-watcher.ts';
import { REPO, runScript, tempDir } from '../../support/cli.ts';
import { posixOnly } from '../../support/skip.ts';

function context(dockerignore?: string): string {
  const dir = tempDir('rd-watch-');
  if (dockerignore !== undefined) writeFileSync(join(dir, '.dockerignore'), dockerignore);
  return dir;
}

test(".git and what .dockerignore excludes are not changes; robot-deploy's own known_hosts neither", () => {
  const dir = context('build/\n**/*.log\n# a comment\n');
  const filter = new ContextFilter(dir, [join(dir, 'known_hosts')]);
  assert.equal(filter.excludes(join(dir, '.git'), false), true);
  assert.equal(filter.excludes(join(dir, '.git', 'index'), true), true);
  assert.equal(filter.excludes(join(dir, 'build'), false), true);
  assert.equal(filter.excludes(join(dir, 'nav', 'run.log'), true), true);
  assert.equal(filter.excludes(join(dir, 'known_hosts'), true), true);
  assert.equal(filter.excludes(join(dir, 'known_hosts.lock'), true), true);
  assert.equal(filter.excludes(join(dir, 'nav', 'main.cpp'), true), false);
  assert.equal(filter.excludes(join(dir, '.dockerignore'), true), false, 'a new .dockerignore changes the context');
  assert.equal(filter.excludes(dir, false), false);
});

test('a `!` exception keeps its directory walked and its file watched', () => {
  const dir = context('data/\n!data/keep.yaml\n');
  const filter = new ContextFilter(dir);
  assert.equal(filter.excludes(join(dir, 'data'), false), false, 'the directory holding an exception is walked');
  assert.equal(filter.excludes(join(dir, 'data', 'big.bin'), true), true);
  assert.equal(filter.excludes(join(dir, 'data', 'keep.yaml'), true), false);
});

test('several saves in quick succession are one batch; an excluded file is none', async (t) => {
  const dir = context('**/*.log\n'); // docker's patterns match from the root: *.log alone would not cover nav/
  mkdirSync(join(dir, 'nav'));
  const batches: ChangeBatch[] = [];
  const watcher = watchContext(dir, (batch) => batches.push(batch), { debounceMs: 150 });
  t.after(async () => {
    await watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await watcher.ready;
  writeFileSync(join(dir, 'nav', 'debug.log'), 'x');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(batches.length, 0, "a .dockerignore'd file triggers nothing");
  writeFileSync(join(dir, 'nav', 'a.cpp'), '1');
  writeFileSync(join(dir, 'nav', 'b.cpp'), '2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  writeFileSync(join(dir, 'nav', 'a.cpp'), '3');
  const deadline = Date.now() + 5000;
  while (!batches.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(batches.length, 1, JSON.stringify(batches));
  assert.deepEqual(batches[0]!.paths.sort(), [join(dir, 'nav', 'a.cpp'), join(dir, 'nav', 'b.cpp')]);
});

test('--watch is refused with --dry-run and by push.ts, before anything runs', () => {
  const dry = runScript('deploy.ts', ['robot1', '--watch', '--dry-run']);
  assert.equal(dry.status, 2, dry.stderr);
  assert.match(dry.stderr, /--watch rebuilds on every change: use it with deploy\.ts, without --dry-run/);
  const push = runScript('push.ts', ['robot1', '--watch']);
  assert.equal(push.status, 2, push.stderr);
});

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('symlinks are watched as links, not followed: docker sends the link, and a link to / is not crawled', {
  skip: posixOnly('symlinks and a watch of / are POSIX here (Windows makes junctions only with rights)'),
}, async (t) => {
  const dir = context();
  const outside = tempDir('rd-watch-outside-');
  writeFileSync(join(outside, 'elsewhere.cpp'), '1');
  symlinkSync(outside, join(dir, 'vendor'));
  symlinkSync('/', join(dir, 'root'));
  const batches: ChangeBatch[] = [];
  const watcher = watchContext(dir, (batch) => batches.push(batch), { debounceMs: 100 });
  t.after(() => watcher.close());
  await watcher.ready;
  writeFileSync(join(outside, 'elsewhere.cpp'), '2');
  writeFileSync(join(outside, 'new.cpp'), '3');
  await settle(600);
  assert.deepEqual(batches, [], 'a file outside the context changed nothing that docker build sends');
  rmSync(join(dir, 'vendor'));
  symlinkSync(join(outside, 'new.cpp'), join(dir, 'vendor'));
  const deadline = Date.now() + 5000;
  while (!batches.length && Date.now() < deadline) await settle(20);
  assert.ok(
    batches.some((batch: ChangeBatch) => batch.paths.includes(join(dir, 'vendor'))),
    `re-pointing the link is a change: ${JSON.stringify(batches)}`,
  );
});

test('a directory the watcher may not read is reported once and the watch goes on (it used to end deploy --watch)', {
  skip: posixOnly('file modes and setpriv'),
}, async (t) => {
  const dir = context();
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'locked'));
  chmodSync(join(dir, 'locked'), 0o000);
  t.after(() => chmodSync(join(dir, 'locked'), 0o755));
  // root reads everything: the watcher runs as nobody then, as it would for a user without the permission.
  const script = `import('${join(REPO, 'scripts/lib/watch/context-watcher.ts')}').then(async ({ watchContext }) => {
    const w = watchContext(${JSON.stringify(dir)}, (b) => console.log('batch ' + b.paths.join(' ')), { onProblem: (p) => console.log('problem ' + p) });
    await w.ready; console.log('ready');
  });`;
  const node = [process.execPath, '--import', 'tsx', '-e', script];
  const argv = process.getuid?.() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...node] : node;
  const child = spawn(argv[0], argv.slice(1), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const waitFor = async (what: RegExp) => {
    const deadline = Date.now() + 15_000;
    while (!what.test(output) && child.exitCode === null && Date.now() < deadline) await settle(20);
    assert.match(output, what);
  };
  await waitFor(/^ready$/m);
  writeFileSync(join(dir, 'main.cpp'), 'x');
  await waitFor(/^batch .*main\.cpp$/m);
  assert.equal(child.exitCode, null, `still watching: ${output}`);
  const problems = output.split('\n').filter((line) => line.startsWith('problem '));
  assert.deepEqual(problems, [`problem cannot watch ${join(dir, 'locked')} (permission denied): changes there go unseen`]);
});
