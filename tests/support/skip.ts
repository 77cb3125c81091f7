import type { TestContext } from 'node:test';

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
