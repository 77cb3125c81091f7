import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRecorded, type RecordedCommand, RecordingRunner } from '../../../scripts/lib/runner/recording-runner.ts';

test('a recording runner runs nothing and answers success with no output', async () => {
  const log: RecordedCommand[] = [];
  const runner = new RecordingRunner('robot1', log);
  assert.equal(runner.records, true);
  assert.deepEqual(await runner.run(['rm', '-rf', '/definitely-not-run']), { code: 0, stdout: '', stderr: '' });
  assert.deepEqual(log, [{ where: 'robot1', argv: ['rm', '-rf', '/definitely-not-run'] }]);
});

test('each command is logged in order with where it would run, and the variables it would get', async () => {
  const log: RecordedCommand[] = [];
  const laptop = new RecordingRunner('laptop', log);
  const robot = new RecordingRunner('robot1', log);
  await laptop.run(['docker', 'build', '.'], { env: { DOCKER_BUILDKIT: '1' } });
  await robot.run(['docker', 'ps']);
  await laptop.run(['docker', 'push', 'img']);
  assert.deepEqual(log, [
    { where: 'laptop', argv: ['docker', 'build', '.'], env: { DOCKER_BUILDKIT: '1' } },
    { where: 'robot1', argv: ['docker', 'ps'] },
    { where: 'laptop', argv: ['docker', 'push', 'img'] },
  ]);
});

test('the log keeps the command as it was when run, whatever the caller does with its array afterwards', async () => {
  const log: RecordedCommand[] = [];
  const argv = ['docker', 'tag', 'a', 'b'];
  await new RecordingRunner('laptop', log).run(argv);
  argv.push('--changed');
  argv[0] = 'rm';
  assert.deepEqual(log[0].argv, ['docker', 'tag', 'a', 'b']);
});

test('the responder answers per command, its fields over the default success', async () => {
  const log: RecordedCommand[] = [];
  const runner = new RecordingRunner('robot1', log, (argv) => {
    if (argv[1] === 'version') return { stdout: '28.2.2\n' };
    if (argv[1] === 'inspect') return { code: 1, stderr: 'No such image' };
    return undefined;
  });
  assert.deepEqual(await runner.run(['docker', 'version']), { code: 0, stdout: '28.2.2\n', stderr: '' });
  assert.deepEqual(await runner.run(['docker', 'inspect', 'x']), { code: 1, stdout: '', stderr: 'No such image' });
  assert.deepEqual(await runner.run(['docker', 'ps']), { code: 0, stdout: '', stderr: '' });
  assert.equal(log.length, 3, 'answered commands are logged too');
});

test('the listing groups commands per host, hosts in the order they first appeared, under their labels', () => {
  const log: RecordedCommand[] = [
    { where: 'robot1', argv: ['docker', 'ps'] },
    { where: 'laptop', argv: ['docker', 'build', '.'] },
    { where: 'jetson', argv: ['docker', 'info'] },
    { where: 'robot1', argv: ['docker', 'images'] },
  ];
  assert.equal(
    formatRecorded(log, { robot1: 'robot1 (over SSH to nuc@192.0.2.1)' }),
    [
      'robot1 (over SSH to nuc@192.0.2.1):',
      '  docker ps',
      '  docker images',
      'laptop:',
      '  docker build .',
      'jetson:',
      '  docker info',
    ].join('\n'),
  );
  assert.equal(formatRecorded([]), '');
});

test("a robot's command is listed as its sh receives it, quoted for POSIX on every laptop", () => {
  const listing = formatRecorded([{ where: 'robot1', argv: ['sh', '-c', "echo 'hi' && ls", 'a b', ''] }]);
  assert.equal(listing, `robot1:\n  sh -c 'echo '\\''hi'\\'' && ls' 'a b' ''`);
});

test("a laptop command is listed for the user's shell, with the variables it gets", () => {
  const listing = formatRecorded([{ where: 'laptop', argv: ['docker', 'build', 'my dir'], env: { DOCKER_BUILDKIT: '1', NOTE: 'a b' } }]);
  const expected =
    process.platform === 'win32'
      ? "  $env:DOCKER_BUILDKIT='1'; $env:NOTE='a b'; docker build 'my dir'"
      : "  DOCKER_BUILDKIT=1 NOTE='a b' docker build 'my dir'";
  assert.equal(listing, `laptop:\n${expected}`);
});
