import { type TestContext, type TestFn, test } from 'node:test';

/** Skips with a printed reason on a developer machine; in CI a missing prerequisite is a failure. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI) throw new Error(`prerequisite missing in CI: ${reason}`);
  console.log(`# SKIP ${t.name}: ${reason}`);
  t.skip(reason);
}

/**
 * For node:test's `skip` option: a test that needs what only POSIX has (sh scripts, signals between processes,
 * file modes) is skipped on Windows, the reason printed by the reporter. A platform, not a missing prerequisite:
 * CI skips it there too, and runs it on Linux.
 */
export const posixOnly = (reason: string): string | false => (process.platform === 'win32' ? `needs POSIX: ${reason}` : false);

/**
 * A program CI's Windows run cannot have (node.exe under Wine has no ssh-keygen.exe or git.exe; a real Windows
 * has both): skipped there with the reason printed, while on Linux, where CI has it, a missing one fails in CI.
 */
export function skipOrFailUnlessWindows(t: TestContext, reason: string): void {
  if (process.platform !== 'win32') {
    skipOrFail(t, reason);
    return;
  }
  console.log(`# SKIP ${t.name}: ${reason}`);
  t.skip(reason);
}

/** `test(name, fn)` for the robot's sh scripts: they run on Linux robots, so on Windows there is no sh to test them with. */
export const robotShellTest = (name: string, fn: TestFn) =>
  test(name, { skip: posixOnly("robot scripts are sh, run by the robot's shell; Linux runs this test") }, fn);
