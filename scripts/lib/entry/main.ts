import { CommandLineAnswer } from '../cli/args.ts';
import { UsageError } from '../config/errors.ts';
import { Teardown } from '../runner/teardown.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, hungUp: 129, interrupted: 130, terminated: 143 } as const;

type Stop = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'crash';

const STOPS: Record<Stop, { said: string; code: number }> = {
  SIGINT: { said: 'Interrupted (Ctrl-C)', code: EXIT.interrupted },
  SIGTERM: { said: 'Terminated', code: EXIT.terminated },
  SIGHUP: { said: 'Hung up (the terminal closed)', code: EXIT.hungUp },
  crash: { said: 'Stopped by an internal error', code: EXIT.failed },
};

let sshPassword: string | undefined;

/** RD_SSH_PASSWORD, which runMain takes out of the environment so no docker or ssh child inherits it. */
export const sshPasswordFromEnvironment = (): string | undefined => sshPassword;

export interface MainControl {
  signal: AbortSignal;
  teardown: Teardown;
}

/**
 * Shared entry point of every script: exit codes (0 done, 1 failed, 2 usage, 129 SIGHUP, 130 Ctrl-C,
 * 143 SIGTERM), and teardown of whatever the run opened on every way out, an internal error included.
 */
export async function runMain(body: (control: MainControl) => Promise<number>): Promise<never> {
  sshPassword = process.env.RD_SSH_PASSWORD;
  delete process.env.RD_SSH_PASSWORD;
  const abort = new AbortController();
  const teardown = new Teardown();
  let stopping = false;
  const stop = (signal: Stop, cause?: unknown) => {
    if (stopping) return;
    stopping = true;
    if (cause !== undefined) process.stderr.write(`\nerror: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
    const pending = teardown.size;
    void teardown.run().then((failed) => {
      restoreCursor();
      const closed = pending - failed.length;
      process.stderr.write(
        `\n${STOPS[signal].said}: closed ${closed} open resource(s)` +
          `${failed.length ? `; could not close: ${failed.join(', ')}` : ''}. Robot images are either unchanged or the complete new ones.\n`,
      );
      process.exit(STOPS[signal].code);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // A bug must not leave a tunnel or a detached docker child behind either.
  process.on('uncaughtException', (error) => stop('crash', error));
  process.on('unhandledRejection', (reason) => stop('crash', reason));
  let code: number;
  try {
    code = await body({ signal: abort.signal, teardown });
  } catch (error) {
    code = error instanceof CommandLineAnswer ? EXIT.ok : error instanceof UsageError ? EXIT.usage : EXIT.failed;
    if (error instanceof CommandLineAnswer) process.stdout.write(error.text);
    else if (!stopping) process.stderr.write(`${error instanceof UsageError ? 'usage error' : 'error'}: ${(error as Error).message}\n`);
  }
  if (stopping) return new Promise<never>(() => undefined);
  await teardown.run();
  restoreCursor();
  process.exit(code);
}

function restoreCursor(): void {
  if (process.stdout.isTTY) process.stdout.write('\x1b[?25h');
}
