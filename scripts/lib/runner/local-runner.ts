import { traceCommand } from '../cli/output.ts';
import type { CommandResult, Runner, RunOptions } from './runner.ts';

/** Runs commands on the laptop through zx; every argv element is quoted by zx's quote function. */
export class LocalRunner implements Runner {
  readonly where = 'laptop';

  constructor(private readonly signal?: AbortSignal) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const signals = [this.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    signal?.throwIfAborted();
    // Own process group, so an abort (Ctrl-C) takes down the shell and everything it started.
    traceCommand(this.where, argv, options.env);
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    // zx loads with the first laptop command, so --help and dry runs never pay for it.
    const $ = (await import('../shell/zx-shell.ts')).zxShell();
    const child = $({ nothrow: true, quiet: true, detached: true, input: options.input, env })`${argv}`;
    // POSIX: a synchronous signal to the whole group, because Ctrl-C handling exits right after the
    // teardown. Windows has no groups: zx's kill runs `taskkill /t` over the process tree.
    const stop = () => (process.platform === 'win32' ? void child.kill().catch(() => undefined) : killGroup(child.pid));
    signal?.addEventListener('abort', stop, { once: true });
    if (options.onOutput) {
      const forward = (chunk: Buffer | string) => options.onOutput?.(chunk.toString());
      child.stdout.on('data', forward);
      child.stderr.on('data', forward);
    }
    try {
      const output = await child;
      return { code: output.exitCode ?? 128, stdout: output.stdout, stderr: output.stderr };
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
