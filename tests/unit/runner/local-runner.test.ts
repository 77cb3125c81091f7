// Laptop commands start from argv with no shell on every OS (issue 23, finding 2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { basename, delimiter, join, relative } from 'node:path';
import { test } from 'node:test';
import { startProcess } from '../../../scripts/lib/runner/child-process.ts';
import { findProgram } from '../../../scripts/lib/runner/find-program.ts';
import { LocalRunner } from '../../../scripts/lib/runner/local-runner.ts';
import { makeProject, REPO, runScript, tempDir } from '../../support/cli.ts';
import { fakeProgram } from '../../support/fake-program.ts';
import { alive } from '../../support/processes.ts';

const exe = process.platform === 'win32' ? '.exe' : '';

test('no docker on PATH: "docker not found" with what to do, exit 1, and no robot is contacted', async (t) => {
  let contacted = 0;
  const robot = createServer((socket) => {
    contacted += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  t.after(() => robot.close());
  const port = (robot.address() as AddressInfo).port;
  const { envFile } = makeProject(`IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@127.0.0.1:${port}\n`);
  const result = runScript('deploy.ts', ['robot1', '--env-file', envFile], { PATH: tempDir('rd-empty-path-'), CI: '1' });
  assert.equal(result.status, 1, result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `^error: docker not found: it is not on PATH\\. install Docker .*, or add the folder that holds docker${exe.replace('.', '\\.')} to PATH, then retry\\.$`,
      'm',
    ),
  );
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(contacted, 0, 'no robot was contacted');
});

test('every argument reaches the program as it is: nothing a POSIX shell, cmd or PowerShell would expand', async () => {
  const echo = fakeProgram('docker', 'console.log(JSON.stringify(args.slice(1)));');
  const hostile = ["it's", '$(echo injected)', '`id`', '$env:PATH', '%PATH%', 'a b', '"quoted"', 'x;y&z|w', '', '{{.Id}}', 'tail\\'];
  const result = await new LocalRunner().run(['docker', 'echo', ...hostile], { env: echo.env });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), hostile);
});

test('a program is found only in absolute PATH entries, never in the current directory; on Windows only an .exe or .com', () => {
  const dir = tempDir('rd-find-');
  const program = join(dir, `rdtool${exe}`);
  copyFileSync(process.execPath, program);
  assert.equal(findProgram('rdtool', { PATH: dir }), program);
  const fromHere = relative(process.cwd(), dir) || '.';
  assert.equal(findProgram('rdtool', { PATH: `${fromHere}${delimiter}` }), undefined, 'a relative or empty PATH entry is not searched');
  assert.throws(
    () => startProcess(['rdtool'], { env: { PATH: fromHere } }),
    /rdtool\S* is in the current directory \(or a relative PATH entry\)/,
  );
  if (process.platform === 'win32') {
    // Node's own search would run a docker.exe that a cloned project happens to hold: the current directory comes first there.
    assert.equal(findProgram(basename(program), { PATH: '' }), undefined);
    const script = join(tempDir('rd-find-cmd-'), 'rdscript.cmd');
    writeFileSync(script, '@echo off\r\n');
    assert.equal(findProgram('rdscript', { PATH: join(script, '..') }), undefined, 'a .cmd needs a shell');
    assert.throws(() => startProcess(['rdscript'], { env: { PATH: join(script, '..') } }), /rdscript\.cmd needs a shell to run/i);
  }
});

test('an aborted laptop command (Ctrl-C) leaves no docker child behind, though the process exits at once', async () => {
  const docker = fakeProgram(
    'docker',
    `const helper = child_process.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    fs.writeFileSync(process.env.FAKE_PIDS, process.pid + ' ' + helper.pid);
    setTimeout(() => {}, 60000);`,
  );
  const pidFile = join(docker.dir, 'pids');
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'tests', 'support', 'abort-laptop-command.ts'), pidFile], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...docker.env, FAKE_PIDS: pidFile },
    timeout: 60_000,
  });
  assert.equal(result.status, 130, result.stderr);
  assert.ok(existsSync(pidFile), 'docker ran');
  const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
  const deadline = Date.now() + 3000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const left = pids.filter(alive);
  for (const pid of left) process.kill(pid); // not to leave them to the next test, once the verdict is taken
  assert.deepEqual(left, [], 'docker and the process it started are gone');
});
