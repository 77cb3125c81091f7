import { UsageError } from '../config/errors.ts';
import { Teardown } from '../deploy/teardown.ts';
import { configureZxShell } from '../shell/zx-shell.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

export interface MainControl {
  signal: AbortSignal;
  teardown: Teardown;
}

/**
 * Shared entry point of every script: exit codes (0 done, 1 failed, 2 usage, 130 Ctrl-C,
 * 143 SIGTERM), and teardown of whatever the run opened on every way out.
 */
export async function runMain(body: (control: MainControl) => Promise<number>): Promise<never> {
  configureZxShell();
  const abort = new AbortController();
  const teardown = new Teardown();
  let stopping = false;
  const stop = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopping) return;
    stopping = true;
    abort.abort(new Error(`interrupted by ${signal}`));
    const pending = teardown.size;
    void teardown.run().then((failed) => {
      restoreCursor();
      const closed = pending - failed.length;
      process.stderr.write(`\n${signal === 'SIGINT' ? 'Interrupted (Ctrl-C)' : 'Terminated'}: closed ${closed} open resource(s)` +
        `${failed.length ? `; could not close: ${failed.join(', ')}` : ''}. Robot images are either unchanged or the complete new ones.\n`);
      process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  let code: number;
  try {
    code = await body({ signal: abort.signal, teardown });
  } catch (error) {
    code = error instanceof UsageError ? EXIT.usage : EXIT.failed;
    if (!stopping) process.stderr.write(`${error instanceof UsageError ? 'usage error' : 'error'}: ${(error as Error).message}\n`);
  }
  if (stopping) return new Promise<never>(() => undefined);
  await teardown.run();
  restoreCursor();
  process.exit(code);
}

function restoreCursor(): void {
  if (process.stdout.isTTY) process.stdout.write('\x1b[?25h');
}
