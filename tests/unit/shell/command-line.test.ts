// -v and --dry-run print laptop commands for the user's own shell: PowerShell on Windows (issue 23, finding 6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { laptopCommandLine, quotePowerShell } from '../../../scripts/lib/shell/command-line.ts';
import { makeProject, runScript } from '../../support/cli.ts';

const BUILD = ['docker', 'build', '--platform', 'linux/amd64', '--tag', 'eurobot2023:navigation', '--iidfile', 'C:\\Temp\\rd x\\iid', '.'];

test('PowerShell: barewords where they pass unchanged, single quotes (doubled inside) for everything it would read', () => {
  for (const word of ['docker', '--tag', 'eurobot2023:navigation', 'linux/arm/v7', '.', '-q']) assert.equal(quotePowerShell(word), word);
  assert.equal(quotePowerShell('type=image,push=false'), "'type=image,push=false'", 'a comma would make an array');
  assert.equal(quotePowerShell('{{.Id}}'), "'{{.Id}}'");
  assert.equal(quotePowerShell('$env:PATH'), "'$env:PATH'");
  assert.equal(quotePowerShell('127.0.0.1:5000/app'), "'127.0.0.1:5000/app'", 'a leading digit could read as a number (1kb)');
  assert.equal(quotePowerShell("it's"), "'it''s'");
  assert.equal(quotePowerShell('it\u2019s'), "'it\u2019\u2019s'", 'PowerShell ends a string at a typographic quote too');
  assert.equal(quotePowerShell('--%'), "'--%'", 'the stop-parsing token');
  assert.equal(quotePowerShell(''), "''");
});

test('a laptop command with its variables, for PowerShell on Windows and a POSIX shell elsewhere', () => {
  assert.equal(
    laptopCommandLine(BUILD, { DOCKER_BUILDKIT: '1' }, 'win32'),
    "$env:DOCKER_BUILDKIT='1'; docker build --platform linux/amd64 --tag eurobot2023:navigation --iidfile 'C:\\Temp\\rd x\\iid' .",
  );
  assert.equal(
    laptopCommandLine(BUILD, { DOCKER_BUILDKIT: '1' }, 'linux'),
    "DOCKER_BUILDKIT=1 docker build --platform linux/amd64 --tag eurobot2023:navigation --iidfile 'C:\\Temp\\rd x\\iid' .",
  );
  assert.equal(
    laptopCommandLine(['C:\\Program Files\\Docker\\docker.exe', 'info'], {}, 'win32'),
    "& 'C:\\Program Files\\Docker\\docker.exe' info",
  );
});

test("the dry run's laptop lines are for this OS's shell; the robot's stay POSIX sh", () => {
  const { envFile } = makeProject('IMAGE=eurobot2023\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.0.2.64\n');
  const result = runScript('deploy.ts', ['robot1', '--dry-run', '--env-file', envFile], { RD_BUILDER: 'docker', CI: '1' });
  assert.equal(result.status, 0, result.stderr);
  const laptop = /^laptop:\n((?: {2}.*\n)+)/m.exec(result.stdout)?.[1] ?? '';
  const build = laptop.split('\n').find((line) => line.includes(' build ')) ?? '';
  if (process.platform === 'win32') assert.match(build, /^ {2}\$env:DOCKER_BUILDKIT='1'; docker build /);
  else assert.match(build, /^ {2}DOCKER_BUILDKIT=1 docker build /);
  assert.match(result.stdout, /robot1 \(over SSH to nuc@192\.0\.2\.64\):\n {2}sh -c '/);
});
