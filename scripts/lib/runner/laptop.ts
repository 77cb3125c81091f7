import type { Runner } from './runner.ts';
import type { Teardown } from './teardown.ts';

/** What laptop-side work needs of the laptop: its runner, one that still works after Ctrl-C (for clean-up), and the way out. */
export interface Laptop {
  readonly local: Runner;
  readonly localTeardown: Runner;
  readonly teardown: Teardown;
  readonly signal: AbortSignal;
}
