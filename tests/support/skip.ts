import type { TestContext } from 'node:test';

/** Skips with a printed reason on a developer machine; in CI a missing prerequisite is a failure. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI) throw new Error(`prerequisite missing in CI: ${reason}`);
  console.log(`# SKIP ${t.name}: ${reason}`);
  t.skip(reason);
}
