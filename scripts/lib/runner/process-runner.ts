import { traceCommand } from '../cli/output.ts';
import { runProcess } from './child-process.ts';
import type { CommandResult, Runner, RunOptions } from './runner.ts';

/**
 * Runs programs on this machine directly from argv, with no shell in between: for tools that need a
 * fixed environment and a time limit on every command (the simulated robots, the bench).
 * The product's laptop commands go through LocalRunner (zx), which also picks a shell on Windows.
 */
export class ProcessRunner implements Runner {
  constructor(
    readonly where: string,
    /** The whole environment of every command; RunOptions.env adds to it. */
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Each command is killed after this long unless RunOptions.timeoutMs says otherwise. */
    private readonly timeoutMs?: number,
  ) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    traceCommand(this.where, argv, options.env);
    return runProcess(argv, {
      env: options.env ? { ...this.env, ...options.env } : this.env,
      input: options.input,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      signal: options.signal,
      onOutput: options.onOutput,
    });
  }
}
