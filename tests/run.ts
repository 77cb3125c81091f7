// Runs the whole suite the same way on every OS: no shell globs, no bash.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['lint', 'typecheck', 'unit', 'e2e'];

/** Every *.test.ts below `dir`: unit tests mirror the lib layout (tests/unit/deploy/…, tests/unit/ssh/…). */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => join(dir, name));
}

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false, env });
  if (result.status !== 0) {
    console.error(`== ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

/** The robot's sh files (scripts/lib/commands/robot-sh/), checked as POSIX sh: robots run them with dash or busybox. */
function shellcheck(): void {
  const files = readdirSync('scripts', { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.sh'))
    .sort()
    .map((name) => join('scripts', name));
  const label = `robot sh scripts (shellcheck -s sh, ${files.length} files)`;
  if (!spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).error) {
    run(label, 'shellcheck', ['--norc', '-s', 'sh', ...files]);
  } else if (process.platform === 'win32') {
    // Windows has no shellcheck, and CI's Windows run sets CI too: Linux checks the same files.
    console.log(`\n== ${label}: skipped, no shellcheck on Windows; the Linux run checks them`);
  } else if (process.env.CI) {
    console.error(`\n== ${label} failed: shellcheck is not installed; install Debian's shellcheck package (.ci/install does)`);
    process.exit(1);
  } else {
    console.log(`\n== ${label}: skipped, shellcheck is not installed (apt-get install shellcheck); CI requires it`);
  }
}

/** Unit tests and every node process they start can reach only loopback (end-to-end tests reach the simulated robots). */
function loopbackOnly(): NodeJS.ProcessEnv {
  // NODE_OPTIONS takes a quoted path; Windows accepts forward slashes, which are no escapes there.
  const guard = resolve('tests', 'support', 'loopback-only.cjs').replaceAll('\\', '/');
  return { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${guard}"`.trim() };
}

const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
const biome = join('node_modules', '@biomejs', 'biome', 'bin', 'biome');
for (const suite of suites) {
  if (suite === 'lint') {
    run('lint and format (biome ci)', process.execPath, [biome, 'ci', '--error-on-warnings', '.']);
    shellcheck();
  } else if (suite === 'typecheck') run('typecheck (tsc --noEmit)', process.execPath, [tsc, '--noEmit', '-p', '.']);
  else if (suite === 'unit' || suite === 'e2e') {
    const files = testFiles(join('tests', suite));
    // End-to-end tests share one laptop engine and the sim address range, so they run one file at a time.
    const concurrency = suite === 'e2e' ? ['--test-concurrency=1'] : [];
    run(
      `${suite} tests (${files.length} files)`,
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', ...concurrency, ...files],
      suite === 'unit' ? loopbackOnly() : process.env,
    );
  } else {
    console.error(`unknown suite "${suite}"; use lint, typecheck, unit or e2e`);
    process.exit(2);
  }
}
