import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { outputMode } from '../../../scripts/lib/cli/output.ts';
import { DEFAULT_LINK } from '../../../scripts/lib/config/link-policy.ts';
import type { ProjectConfig, RobotConfig } from '../../../scripts/lib/config/project-config.ts';
import type { DeployContext } from '../../../scripts/lib/deploy/context.ts';
import { RobotRun } from '../../../scripts/lib/deploy/robot-run.ts';
import { dryRunListing, reportDeploy, robotStatus, summaryLines, timingLines } from '../../../scripts/lib/deploy/summary.ts';
import type { RobotLink } from '../../../scripts/lib/link/robot-link.ts';
import type { RecordedCommand } from '../../../scripts/lib/runner/recording-runner.ts';
import { StepClock } from '../../../scripts/lib/runner/step-clock.ts';

const ID = (n: number) => `sha256:${String(n).repeat(64)}`;

function robotConfig(name: string, target: RobotConfig['target']): RobotConfig {
  return { name, envPrefix: name.toUpperCase(), target, platform: 'linux/amd64', workspaces: [], registryPort: 5000, delta: false };
}

/** A robot's run whose tunnel has carried `sent` bytes (none when it never opened one). */
function robotRun(name: string, workspaces: string[], sent?: number): RobotRun {
  const link = { tunnelIfAny: sent === undefined ? undefined : { bytesToRobot: () => sent } } as unknown as RobotLink;
  return new RobotRun(robotConfig(name, { user: 'nuc', host: '192.0.2.1' }), workspaces, link);
}

const config = { image: 'eurobot2023', link: DEFAULT_LINK } as ProjectConfig;

function context(robots: RobotRun[], extra: { recorded?: RecordedCommand[]; notices?: string[] } = {}): DeployContext {
  return {
    config,
    robots,
    notices: extra.notices ?? [],
    ...(extra.recorded ? { recorded: extra.recorded } : {}),
  } as unknown as DeployContext;
}

/** stdout and stderr of `work`, which must not await (nothing else writes meanwhile). */
function captured<T>(work: () => T): { stdout: string; stderr: string; result: T } {
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => {
    out.stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    out.stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  let result: T;
  try {
    result = work();
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
  return { ...out, result };
}

let savedMode: typeof outputMode;
beforeEach(() => {
  savedMode = { ...outputMode };
  Object.assign(outputMode, { quiet: false, verbose: false });
});
afterEach(() => {
  Object.assign(outputMode, savedMode);
});

test('a robot with an error failed, whatever it deployed before the error', () => {
  const run = robotRun('robot1', ['navigation']);
  run.outcomes.set('navigation', { kind: 'deployed', id: ID(1) });
  run.error = 'push: connection lost';
  assert.equal(robotStatus(run), 'failed');
});

test('a robot is deployed when any workspace was deployed, and up to date when none was', () => {
  const run = robotRun('robot1', ['navigation', 'vision']);
  assert.equal(robotStatus(run), 'up to date');
  run.outcomes.set('navigation', { kind: 'up-to-date', id: ID(1) });
  assert.equal(robotStatus(run), 'up to date');
  run.outcomes.set('vision', { kind: 'deployed', id: ID(2) });
  assert.equal(robotStatus(run), 'deployed');
});

test('summary: a deployed workspace shows its short ID, the previous image kept for rollback, and the bytes sent through the tunnel', () => {
  const run = robotRun('robot1', ['navigation', 'vision'], 12_340_000);
  run.outcomes.set('navigation', { kind: 'deployed', id: ID(1), previous: ID(2) });
  run.outcomes.set('vision', { kind: 'up-to-date', id: ID(3) });
  assert.deepEqual(summaryLines(context([run])), [
    'robot1  deployed    eurobot2023:navigation 111111111111, previous 222222222222 kept as eurobot2023:navigation.prev; ' +
      'eurobot2023:vision 333333333333 (already there); 12.3 MB through the tunnel',
  ]);
});

test('summary: a first deploy has no previous image; an up-to-date robot shows no tunnel bytes; an unfinished workspace says so', () => {
  const first = robotRun('alpha', ['navigation'], 5_000);
  first.outcomes.set('navigation', { kind: 'deployed', id: ID(4) });
  const same = robotRun('beta', ['navigation', 'vision'], 99_999_999);
  same.outcomes.set('navigation', { kind: 'up-to-date', id: ID(5) });
  const [alpha, beta] = summaryLines(context([first, same]));
  assert.equal(alpha, 'alpha  deployed    eurobot2023:navigation 444444444444; 5.0 kB through the tunnel');
  assert.equal(beta, 'beta   up to date  eurobot2023:navigation 555555555555 (already there); eurobot2023:vision not finished');
});

test('summary: a deployed robot whose tunnel never opened shows 0 bytes; a failed robot shows only its error', () => {
  const direct = robotRun('robot1', ['navigation']);
  direct.outcomes.set('navigation', { kind: 'deployed', id: ID(6) });
  const failed = robotRun('jetson-orin', ['navigation'], 1_000_000);
  failed.error = 'ssh: connection refused';
  const lines = summaryLines(context([direct, failed]));
  assert.match(lines[0], /^robot1 {7}deployed {4}eurobot2023:navigation 666666666666; 0\.0 kB through the tunnel$/);
  assert.equal(lines[1], 'jetson-orin  failed      ssh: connection refused');
});

test('timings: the laptop steps, then each robot, in seconds to two decimals', () => {
  const laptop = new StepClock();
  laptop.steps.push({ name: 'build navigation', ms: 12_345 });
  const run = robotRun('robot1', []);
  run.clock.steps.push({ name: 'push', ms: 2_000 }, { name: 'pull & tag', ms: 5 });
  assert.deepEqual(timingLines(context([run]), laptop), [
    `laptop  ${'build navigation'.padEnd(24)} 12.35 s`,
    `robot1  ${'push'.padEnd(24)} 2.00 s`,
    `robot1  ${'pull & tag'.padEnd(24)} 0.01 s`,
  ]);
});

test('dry run listing: a header, then the commands per host, each robot labelled with its SSH target', () => {
  const recorded: RecordedCommand[] = [
    { where: 'robot1', argv: ['docker', 'version'] },
    { where: 'laptop', argv: ['docker', 'build', '.'] },
  ];
  const listing = dryRunListing(context([robotRun('robot1', [])], { recorded }));
  const [header, ...rest] = listing.split('\n');
  assert.match(header, /^Dry run: nothing was run\./);
  assert.deepEqual(rest, ['robot1 (over SSH to nuc@192.0.2.1):', '  docker version', 'laptop:', '  docker build .']);
});

test('report: exit 0 when no robot failed, the notices and summary on stdout', () => {
  const run = robotRun('robot1', ['navigation'], 0);
  run.outcomes.set('navigation', { kind: 'up-to-date', id: ID(1) });
  const { stdout, stderr, result } = captured(() =>
    reportDeploy(context([run], { notices: ['registry restarted'] }), new StepClock(), false),
  );
  assert.equal(result, 0);
  assert.equal(stderr, '');
  assert.match(stdout, /^note: registry restarted$/m);
  assert.match(stdout, /^Summary:$/m);
  assert.match(stdout, /^robot1 {2}up to date/m);
  assert.doesNotMatch(stdout, /Timings|Dry run/);
});

test('report: exit 1 when any robot failed; its line goes to stderr, the others to stdout', () => {
  const good = robotRun('alpha', ['navigation'], 0);
  good.outcomes.set('navigation', { kind: 'deployed', id: ID(1) });
  const bad = robotRun('beta', ['navigation']);
  bad.error = 'no space left on device';
  const { stdout, stderr, result } = captured(() => reportDeploy(context([good, bad]), new StepClock(), false));
  assert.equal(result, 1);
  assert.equal(stderr, 'beta   failed      no space left on device\n');
  assert.match(stdout, /^alpha {2}deployed/m);
  assert.doesNotMatch(stdout, /beta/);
});

test('report with -q: the failure and what was asked for (timings, a dry-run listing) still print; notes and the summary do not', () => {
  outputMode.quiet = true;
  const good = robotRun('alpha', ['navigation'], 0);
  good.outcomes.set('navigation', { kind: 'deployed', id: ID(1) });
  const bad = robotRun('beta', ['navigation']);
  bad.error = 'timeout';
  const recorded: RecordedCommand[] = [{ where: 'laptop', argv: ['docker', 'build', '.'] }];
  const { stdout, stderr, result } = captured(() =>
    reportDeploy(context([good, bad], { recorded, notices: ['a note'] }), new StepClock(), true),
  );
  assert.equal(result, 1);
  assert.match(stderr, /^beta {3}failed {6}timeout$/m);
  assert.match(stdout, /Dry run: nothing was run/);
  assert.match(stdout, /^Timings:$/m);
  assert.match(stdout, /^peak memory \(max RSS\) [\d.]+ MiB$/m);
  assert.doesNotMatch(stdout, /note: a note|Summary|alpha {2}deployed/);
});

test('report of a dry run says nothing was deployed', () => {
  const run = robotRun('robot1', ['navigation'], 0);
  run.outcomes.set('navigation', { kind: 'deployed', id: ID(1) });
  const { stdout } = captured(() => reportDeploy(context([run], { recorded: [] }), new StepClock(), false));
  assert.match(stdout, /^Summary \(dry run: what would happen, nothing was deployed\):$/m);
});
