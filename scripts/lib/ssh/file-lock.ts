import { closeSync, openSync, rmSync, statSync } from 'node:fs';

const WAIT_MS = 5_000;
const STALE_MS = 30_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `work` while holding `lockFile`, created exclusively (O_EXCL), so two processes editing one
 * file take turns. A lock older than 30 s belongs to a process that died mid-write and is taken over.
 */
export function withFileLock<T>(lockFile: string, work: () => T): T {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx', 0o644));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lockFile)) rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lockFile} has been held for over ${WAIT_MS / 1000} s by another robot-deploy`);
      else Atomics.wait(pause, 0, 0, 20);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function isStale(lockFile: string): boolean {
  try {
    return Date.now() - statSync(lockFile).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}
