import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseProjectConfig, resolveEnvFile } from '../../../scripts/lib/config/load-config.ts';
import { escapeRegExp, REPO, tempDir } from '../../support/cli.ts';
import { skipOrFailUnlessWindows } from '../../support/skip.ts';

function project(): string {
  const dir = tempDir('rd-env-');
  mkdirSync(join(dir, 'src'));
  return dir;
}

const EXAMPLE = `# the issue's contract
IMAGE=eurobot2023           # image name
CONTEXT=.
WORKSPACES=navigation, vision
PLATFORM=linux/amd64
SSH_KEY=~/.ssh/id_ed25519
REGISTRY_PORT=5000
ROBOT1_HOST=nuc@192.0.2.64
ROBOT1_PLATFORM=linux/amd64
JETSON_HOST=jetson@jetson.local:2222
JETSON_PLATFORM=linux/arm64
JETSON_WORKSPACES=vision
JETSON_REGISTRY_PORT=5001
JETSON_AFTER="docker compose up -d"
`;

test('the documented example parses with per-robot overrides', () => {
  const dir = project();
  const config = parseProjectConfig(EXAMPLE, join(dir, 'robots.env'));
  assert.equal(config.image, 'eurobot2023');
  assert.equal(config.context, dir);
  assert.deepEqual(config.workspaces, ['navigation', 'vision']);
  assert.equal(config.knownHostsFile, join(dir, 'known_hosts'));
  const [robot1, jetson] = config.robots;
  assert.deepEqual(robot1, {
    name: 'robot1',
    envPrefix: 'ROBOT1',
    target: { user: 'nuc', host: '192.0.2.64' },
    platform: 'linux/amd64',
    workspaces: ['navigation', 'vision'],
    sshKey: join(homedir(), '.ssh', 'id_ed25519'),
    registryPort: 5000,
    delta: 'auto',
  });
  assert.equal(jetson.name, 'jetson');
  assert.deepEqual(jetson.target, { user: 'jetson', host: 'jetson.local', port: 2222 });
  assert.equal(jetson.platform, 'linux/arm64');
  assert.deepEqual(jetson.workspaces, ['vision']);
  assert.equal(jetson.registryPort, 5001);
  assert.equal(jetson.after, 'docker compose up -d');
});

test('defaults: context ., platform linux/amd64, port 5000, no key', () => {
  const dir = project();
  const config = parseProjectConfig('IMAGE=img\nR_HOST=robot.local\n', join(dir, 'robots.env'));
  assert.equal(config.platform, 'linux/amd64');
  assert.equal(config.registryPort, 5000);
  assert.equal(config.sshKey, undefined);
  assert.deepEqual(config.robots[0].target, { host: 'robot.local' });
});

test('SSH_KEY relative to robots.env', () => {
  const dir = project();
  const config = parseProjectConfig('IMAGE=img\nSSH_KEY=keys/robot\nR_HOST=r\n', join(dir, 'robots.env'));
  assert.equal(config.sshKey, join(dir, 'keys', 'robot'));
});

const errors: [string, string, RegExp][] = [
  ['malformed line', 'IMAGE=img\nthis is not an assignment\nR_HOST=r\n', /robots\.env:2: expected KEY=VALUE/],
  ['unknown key', 'IMAGE=img\nR_HOST=r\nR_PLATFROM=linux/arm64\n', /robots\.env:3: unknown key R_PLATFROM/],
  ['duplicate key', 'IMAGE=img\nR_HOST=r\nIMAGE=other\n', /robots\.env:3: IMAGE is already set on line 1/],
  ['missing IMAGE', 'R_HOST=r\n', /IMAGE is missing/],
  ['no robots', 'IMAGE=img\n', /no robots declared/],
  ['uppercase image', 'IMAGE=Eurobot\nR_HOST=r\n', /robots\.env:1: IMAGE="Eurobot" is not a valid Docker image name/],
  ['image with tag', 'IMAGE=img:latest\nR_HOST=r\n', /not a valid Docker image name/],
  ['shell in image', 'IMAGE="img;rm -rf /"\nR_HOST=r\n', /not a valid Docker image name/],
  [
    'workspace with space',
    'IMAGE=img\nWORKSPACES=nav igation\nR_HOST=r\n',
    /robots\.env:2: WORKSPACES="nav igation" is not a valid Docker tag/,
  ],
  ['workspace with $()', 'IMAGE=img\nWORKSPACES=$(reboot)\nR_HOST=r\n', /is not a valid Docker tag/],
  ['very long workspace', `IMAGE=img\nWORKSPACES=${'w'.repeat(200)}\nR_HOST=r\n`, /200 characters long/],
  [
    "a workspace that is another's rollback tag",
    'IMAGE=img\nWORKSPACES=main,main.prev\nR_HOST=r\n',
    /robots\.env:2: WORKSPACES="main\.prev" ends in \.prev, which robot-deploy adds to workspace tags itself \(WS\.prev\); rename the workspace/,
  ],
  [
    'a per-robot workspace named like a rollback tag',
    'IMAGE=img\nR_HOST=r\nR_WORKSPACES=nav.prev\n',
    /R_WORKSPACES="nav\.prev" ends in \.prev/,
  ],
  ["a workspace named like the laptop's delta tag", 'IMAGE=img\nWORKSPACES=nav.delta-basis\nR_HOST=r\n', /ends in \.delta-basis/],
  ['a workspace listed twice', 'IMAGE=img\nWORKSPACES=nav, vision,nav\nR_HOST=r\n', /robots\.env:2: WORKSPACES lists "nav" twice/],
  ['bad platform', 'IMAGE=img\nPLATFORM=amd64\nR_HOST=r\n', /robots\.env:2: PLATFORM="amd64" is not a platform/],
  ['bad port', 'IMAGE=img\nREGISTRY_PORT=70000\nR_HOST=r\n', /robots\.env:2: REGISTRY_PORT="70000" is not a port/],
  ['bad host', 'IMAGE=img\nR_HOST=nuc@robot;reboot\n', /robots\.env:2: R_HOST: host "robot;reboot" is not a hostname/],
  ['bad user', 'IMAGE=img\nR_HOST="n c@robot"\n', /user "n c" is not a valid login name/],
  ['bad ssh port', 'IMAGE=img\nR_HOST=nuc@robot:0\n', /port "0" is not between 1 and 65535/],
  ['reserved name', 'IMAGE=img\nALL_HOST=robot\n', /"all" is reserved/],
  ['unbalanced quotes', 'IMAGE=img\nR_HOST="robot\n', /robots\.env:2: cannot read the value of R_HOST \(unbalanced quotes\?\)/],
  ['missing context', 'IMAGE=img\nCONTEXT=nowhere\nR_HOST=r\n', /robots\.env:2: CONTEXT directory .*nowhere does not exist/],
  ['context outside', 'IMAGE=img\nCONTEXT=..\nR_HOST=r\n', /robots\.env:2: CONTEXT=\.\. points outside/],
];

for (const [name, text, pattern] of errors) {
  test(`refused: ${name}`, () => {
    const dir = project();
    assert.throws(
      () => parseProjectConfig(text, join(dir, 'robots.env')),
      (error: Error & { exitCode?: number }) => {
        assert.match(error.message, pattern);
        assert.equal(error.exitCode, 2);
        return true;
      },
    );
  });
}

test('refused: a CONTEXT symlink that leads outside the project', (t) => {
  const dir = project();
  try {
    symlinkSync(tmpdir(), join(dir, 'escape'), 'junction'); // a junction: Windows makes those without admin rights
  } catch (error) {
    // Wine makes no junctions (ENOTSUP); Linux and a real Windows do.
    if (process.platform === 'win32') return skipOrFailUnlessWindows(t, `cannot make a junction here: ${(error as Error).message}`);
    throw error;
  }
  assert.throws(() => parseProjectConfig('IMAGE=img\nCONTEXT=escape\nR_HOST=r\n', join(dir, 'robots.env')), /points outside/);
});

test('--env-file beats ROBOTS_ENV beats the nearest robots.env upwards', () => {
  const dir = project();
  writeFileSync(join(dir, 'robots.env'), 'IMAGE=img\n');
  assert.equal(resolveEnvFile('/a/flag.env', { ROBOTS_ENV: '/b/env.env' }, dir), resolve('/a/flag.env'));
  assert.equal(resolveEnvFile(undefined, { ROBOTS_ENV: '/b/env.env' }, dir), resolve('/b/env.env'));
  assert.equal(resolveEnvFile('flag.env', {}, join(dir, 'src')), join(dir, 'src', 'flag.env'), 'relative to the cwd');
  assert.equal(resolveEnvFile(undefined, {}, dir), join(dir, 'robots.env'));
});

test('robots.env is found in a parent directory, the nearest one winning, as git finds .git', () => {
  const dir = project();
  const deep = join(dir, 'src', 'nav', 'launch');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(dir, 'robots.env'), 'IMAGE=img\n');
  assert.equal(resolveEnvFile(undefined, {}, deep), join(dir, 'robots.env'));
  writeFileSync(join(dir, 'src', 'robots.env'), 'IMAGE=img\n');
  assert.equal(resolveEnvFile(undefined, {}, deep), join(dir, 'src', 'robots.env'));
});

test('no robots.env anywhere above: a usage error naming every directory searched', () => {
  const dir = project();
  const above = (d: string): string[] => (dirname(d) === d ? [d] : [d, ...above(dirname(d))]);
  assert.ok(
    above(dir).every((d) => !existsSync(join(d, 'robots.env'))),
    'precondition: no robots.env above the temp dir',
  );
  assert.throws(
    () => resolveEnvFile(undefined, {}, join(dir, 'src')),
    (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `^no robots\\.env in ${escapeRegExp(join(dir, 'src'))} or any directory above it \\(looked in ${escapeRegExp(join(dir, 'src'))}, ${escapeRegExp(dir)}, .*, ${escapeRegExp(above(dir).at(-1) ?? '/')}\\)\\..*--env-file FILE or set ROBOTS_ENV`,
        ),
      );
      return error.name === 'UsageError';
    },
  );
});

test('a robot whose name is a prefix of another keeps its own keys', () => {
  const dir = project();
  writeFileSync(join(dir, 'x'), '');
  const config = parseProjectConfig('IMAGE=img\nR_HOST=a\nR_SSH_HOST=b\nR_SSH_PLATFORM=linux/arm64\n', join(dir, 'robots.env'));
  assert.deepEqual(
    config.robots.map((r) => [r.name, r.platform]),
    [
      ['r', 'linux/amd64'],
      ['r_ssh', 'linux/arm64'],
    ],
  );
});

test('the committed robots.env example parses', () => {
  const config = parseProjectConfig(readFileSync(join(REPO, 'robots.env'), 'utf8'), join(REPO, 'robots.env'));
  assert.equal(config.image, 'eurobot2023');
  assert.deepEqual(
    config.robots.map((r) => [r.name, r.platform]),
    [
      ['robot1', 'linux/amd64'],
      ['jetson', 'linux/arm64'],
    ],
  );
});

test('an unquoted value keeps a # inside a word; a # after whitespace starts a comment', () => {
  const text =
    'IMAGE=app\nR1_HOST=pi@192.0.2.2\nR1_AFTER=cd /opt/app#1 && docker compose up -d\nR2_HOST=pi@192.0.2.3   # the spare\nR2_AFTER="echo #quoted"\n';
  const [r1, r2] = parseProjectConfig(text, join(project(), 'robots.env')).robots;
  assert.equal(r1.after, 'cd /opt/app#1 && docker compose up -d');
  assert.deepEqual(r2.target, { user: 'pi', host: '192.0.2.3' });
  assert.equal(r2.after, 'echo #quoted');
});

test('two spellings of one robot name are refused: names ignore case and key the pinned host keys', () => {
  assert.throws(
    () => parseProjectConfig('IMAGE=app\nROBOT1_HOST=nuc@192.0.2.2\nrobot1_HOST=nuc@192.0.2.9\n', join(project(), 'robots.env')),
    /robots\.env:3: robot1_HOST declares robot "robot1" again \(ROBOT1_HOST on line 2\)/,
  );
});

test('CR-only line endings (old Mac editors) read like LF and CRLF', () => {
  for (const eol of ['\r', '\r\n', '\n']) {
    const config = parseProjectConfig(
      ['IMAGE=app', 'R1_HOST=pi@192.0.2.2', 'R1_PLATFORM=linux/arm64', ''].join(eol),
      join(project(), 'robots.env'),
    );
    assert.deepEqual(
      config.robots.map((r) => [r.name, r.platform]),
      [['r1', 'linux/arm64']],
      JSON.stringify(eol),
    );
  }
});

test('megabyte values and files are refused with their size', () => {
  const file = join(project(), 'robots.env');
  assert.throws(
    () => parseProjectConfig(`IMAGE=app\nR1_HOST=pi@192.0.2.2\nR1_AFTER=${'x'.repeat(70_000)}\n`, file),
    /robots\.env:3: the value of R1_AFTER is 70000 bytes; at most 65536/,
  );
  assert.throws(
    () => parseProjectConfig(`IMAGE=app\n${'# padding\n'.repeat(110_000)}`, file),
    /is 1100010 bytes; a robots\.env is at most 1048576 bytes/,
  );
});

test('<NAME>_COMPOSE: an absolute compose file path or a project name; anything else is refused with its line', () => {
  const dir = project();
  const file = join(dir, 'robots.env');
  const config = parseProjectConfig(
    'IMAGE=img\nA_HOST=a\nA_COMPOSE=/opt/robot/compose.yaml\nB_HOST=b\nB_COMPOSE=robot-stack\nC_HOST=c\n',
    file,
  );
  assert.deepEqual(
    config.robots.map((r) => r.compose),
    ['/opt/robot/compose.yaml', 'robot-stack', undefined],
  );
  assert.throws(
    () => parseProjectConfig('IMAGE=img\nA_HOST=a\nA_COMPOSE=compose.yaml; reboot\n', file),
    /robots\.env:3: A_COMPOSE=compose\.yaml; reboot is neither an absolute path of a compose file on the robot nor a compose project name/,
  );
  assert.throws(
    () => parseProjectConfig('IMAGE=img\nA_HOST=a\nA_COMPOSE=/opt/a.yaml,/opt/b.yaml\n', file),
    /may not contain a newline or a comma/,
  );
});

test("the laptop's delta tag is the suffix the workspace check reserves", async () => {
  const { basisRef } = await import('../../../scripts/lib/delta/delta-basis.ts');
  const { DELTA_BASIS_SUFFIX } = await import('../../../scripts/lib/config/references.ts');
  assert.equal(basisRef('img', 'nav'), `img:nav${DELTA_BASIS_SUFFIX}`);
});
