// Replacing a file by rename, as Windows allows it: a reader that holds the target open without delete sharing
// (an antivirus scan, the search indexer, an editor) makes the rename fail with EPERM, EBUSY or EACCES for a moment.
import { renameSync } from 'node:fs';

/** How long a rename keeps retrying a sharing violation before the error stands. */
const PATIENCE_MS = 2000;
const PAUSE_MS = 50;

/** renameSync, retried on Windows while the target is held by another process; elsewhere those errors are final. */
export function renameRetrying(
  from: string,
  to: string,
  rename: (from: string, to: string) => void = renameSync,
  platform: NodeJS.Platform = process.platform,
): void {
  const deadline = Date.now() + (platform === 'win32' ? PATIENCE_MS : 0);
  for (;;) {
    try {
      rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!(code === 'EPERM' || code === 'EBUSY' || code === 'EACCES') || Date.now() >= deadline) throw error;
      // Synchronous on purpose: callers hold a lock file and write under it synchronously.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, PAUSE_MS);
    }
  }
}
