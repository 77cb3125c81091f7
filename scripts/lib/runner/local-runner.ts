import { traceCommand } from '../cli/output.ts';
import { runProcess } from './child-process.ts';
import type { CommandResult, Runner, RunOptions } from './runner.ts';

/**
 * Runs commands on the laptop straight from argv, with no shell on any OS: no PowerShell profile or start-up
 * per docker call, no quoting, and a missing docker is ProgramNotFoundError ("docker not found") before it runs.
 * An abort (Ctrl-C) stops the program and everything it started (stopTree), before the process may exit.
 */
export class LocalRunner implements Runner {
  readonly where = 'laptop';

  constructor(private readonly signal?: AbortSignal) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const signals = [this.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    signal?.throwIfAborted();
    traceCommand(this.where, argv, options.env);
    return runProcess(argv, {
      env: options.env ? { ...process.env, ...options.env } : process.env,
      input: options.input,
      group: true,
      signal,
      onOutput: options.onOutput,
    });
  }
}
