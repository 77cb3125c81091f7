import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, test } from 'node:test';
import { COMMON_HELP, CommandLineAnswer, packageVersion, parseCommandLine } from '../../../scripts/lib/cli/args.ts';
import { outputMode } from '../../../scripts/lib/cli/output.ts';
import { UsageError } from '../../../scripts/lib/config/errors.ts';

const HELP = `
Usage: deploy.ts ROBOT... [--ws NAME]... [--dry-run]
`;
const OPTIONS = { ws: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' } } as const;

// parseCommandLine sets the process-wide output mode (and NO_COLOR): each test gets it back as it was.
let saved: { mode: typeof outputMode; noColor: string | undefined };
beforeEach(() => {
  saved = { mode: { ...outputMode }, noColor: process.env.NO_COLOR };
});
afterEach(() => {
  Object.assign(outputMode, saved.mode);
  if (saved.noColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved.noColor;
});

function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

test("robots are positionals; the command's own options and the common ones are both read", () => {
  const parsed = parseCommandLine(['robot1', '--ws', 'nav', 'jetson', '--ws', 'vision', '--dry-run', '--env-file', 'x.env'], OPTIONS, HELP);
  assert.deepEqual(parsed.positionals, ['robot1', 'jetson']);
  assert.deepEqual(parsed.values.ws, ['nav', 'vision']);
  assert.equal(parsed.values['dry-run'], true);
  assert.equal(parsed.values['env-file'], 'x.env');
});

test('an unknown option or a missing value is a usage error (exit 2) that shows the help and the common options', () => {
  for (const argv of [['robot1', '--frobnicate'], ['robot1', '--ws'], ['--dry-run=yes']]) {
    const error = thrown(() => parseCommandLine(argv, OPTIONS, HELP));
    assert.ok(error instanceof UsageError, argv.join(' '));
    assert.equal(error.exitCode, 2);
    assert.ok(error.message.includes('Usage: deploy.ts ROBOT...'), error.message);
    assert.ok(error.message.includes(COMMON_HELP.trim()), error.message);
  }
  assert.match(thrown(() => parseCommandLine(['--frobnicate'], OPTIONS, HELP)).message, /^Unknown option '--frobnicate'/);
});

test('-h/--help answers with the help and the common options, whatever else is on the line', () => {
  for (const argv of [['--help'], ['-h'], ['robot1', '--ws', 'nav', '-h']]) {
    const answer = thrown(() => parseCommandLine(argv, OPTIONS, HELP));
    assert.ok(answer instanceof CommandLineAnswer, argv.join(' '));
    assert.ok(answer.text.startsWith('Usage: deploy.ts ROBOT...'));
    assert.ok(answer.text.includes('-q/--quiet'));
    assert.ok(answer.text.endsWith('\n'));
  }
});

test("--version answers with the version in robot-deploy's package.json", () => {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(packageVersion(), manifest.version);
  const answer = thrown(() => parseCommandLine(['--version'], OPTIONS, HELP));
  assert.ok(answer instanceof CommandLineAnswer);
  assert.equal(answer.text, `${manifest.version}\n`);
});

test('-q and -v together are refused as contradicting each other', () => {
  const error = thrown(() => parseCommandLine(['robot1', '-q', '-v'], OPTIONS, HELP));
  assert.ok(error instanceof UsageError);
  assert.match(error.message, /-q\/--quiet and -v\/--verbose contradict each other/);
});

test('the common output flags set the output mode for the whole run', () => {
  parseCommandLine(['robot1', '-q', '--no-color'], OPTIONS, HELP);
  assert.equal(outputMode.quiet, true);
  assert.equal(outputMode.verbose, false);
  assert.equal(outputMode.color, false);
  parseCommandLine(['robot1', '--verbose'], OPTIONS, HELP);
  assert.equal(outputMode.quiet, false);
  assert.equal(outputMode.verbose, true);
});
