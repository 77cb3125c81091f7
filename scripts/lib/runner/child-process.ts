// One way to start a program from an argv array without a shell: buffered (runProcess) or streamed (startProcess).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { CommandResult } from './runner.ts';

export interface ProcessOptions {
  /** The whole environment of the program (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory (default: this process's). */
  cwd?: string;
  /** A stream the program reads as stdin (e.g. the previous stage of a pipeline); instead of `input`. */
  stdin?: Readable;
  /** A process group of its own, so a signal to `-pid` reaches everything under it, as Ctrl-C on a terminal does. */
  group?: boolean;
  /** Text written to stdin; without it stdin is closed. */
  input?: string;
  /** Killed with SIGKILL after this long; its result then says so on stderr. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each chunk of stdout/stderr as it arrives. */
  onOutput?: (chunk: string) => void;
}

/** Spawns `argv[0]` with the rest as its arguments; a program that cannot start is an Error naming it. */
export function startProcess(
  argv: readonly string[],
  options: ProcessOptions = {},
): ChildProcessByStdio<Writable | null, Readable, Readable> {
  const [command, ...args] = argv;
  if (!command) throw new Error('startProcess: empty argv');
  return spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: options.group,
    stdio: [options.stdin ?? (options.input === undefined ? 'ignore' : 'pipe'), 'pipe', 'pipe'],
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    ...(options.signal ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
}

/** Runs a program to its end and resolves with its exit code and output; never rejects on a non-zero exit. */
export function runProcess(argv: readonly string[], options: ProcessOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = startProcess(argv, options);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onOutput?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onOutput?.(chunk);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (error: Error & { code?: string }) => {
      if (error.name === 'AbortError') return; // 'close' follows with the signal
      reject(new Error(`cannot run ${argv[0]}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (signal && options.signal?.aborted) stderr += `\nstopped (${signal}): ${String(options.signal.reason)}`;
      else if (signal) stderr += `\nkilled by ${signal}${options.timeoutMs !== undefined ? ` (time limit ${options.timeoutMs} ms)` : ''}`;
      resolve({ code: code ?? 128, stdout, stderr });
    });
  });
}
