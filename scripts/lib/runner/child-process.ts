// One way to start a program from an argv array without a shell: buffered (runProcess) or streamed (startProcess).
import { type ChildProcess, type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { findProgram, programNotFound } from './find-program.ts';
import type { CommandResult } from './runner.ts';

export interface ProcessOptions {
  /** The whole environment of the program (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working directory (default: this process's). */
  cwd?: string;
  /** A stream the program reads as stdin (e.g. the previous stage of a pipeline), or 'pipe' to write to child.stdin; instead of `input`. */
  stdin?: Readable | 'pipe';
  /** Windows: arguments joined as they are, unquoted (a command line written by the user, e.g. a ProxyCommand). */
  verbatim?: boolean;
  /**
   * Stopped as a tree: on POSIX a process group of its own, so a signal to `-pid` reaches everything under it, as
   * Ctrl-C on a terminal does; an abort then stops the whole group (SIGTERM) rather than the program alone (SIGKILL).
   * Windows has no groups: there the abort runs taskkill /T, and the program stays in the job that Node ends with us.
   */
  group?: boolean;
  /** Text written to stdin; without it stdin is closed. */
  input?: string;
  /** Killed with SIGKILL after this long; its result then says so on stderr. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each chunk of stdout/stderr as it arrives. */
  onOutput?: (chunk: string) => void;
}

/**
 * Spawns `argv[0]`, found on PATH (findProgram: never the current directory, on Windows only an .exe or .com), with
 * the rest as its arguments. A program that is not there throws ProgramNotFoundError before anything starts.
 */
export function startProcess(
  argv: readonly string[],
  options: ProcessOptions = {},
): ChildProcessByStdio<Writable | null, Readable, Readable> {
  const [command, ...args] = argv;
  if (!command) throw new Error('startProcess: empty argv');
  const env = options.env ?? process.env;
  const program = findProgram(command, env);
  if (!program) throw programNotFound(command, env);
  const tree = options.group === true;
  const child = spawn(program, args, {
    env,
    cwd: options.cwd,
    // Detached on Windows would leave the job that ends Node's children with it.
    detached: tree && process.platform !== 'win32',
    windowsHide: true,
    windowsVerbatimArguments: options.verbatim,
    // Verbatim leaves the program's own name unquoted too; a path with a space must stay one word.
    ...(options.verbatim ? { argv0: `"${program}"` } : {}),
    stdio: [options.stdin ?? (options.input === undefined ? 'ignore' : 'pipe'), 'pipe', 'pipe'],
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    ...(options.signal && !tree ? { signal: options.signal, killSignal: 'SIGKILL' as const } : {}),
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
  if (tree && options.signal) {
    const signal = options.signal;
    const stop = () => stopTree(child);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    child.once('close', () => signal.removeEventListener('abort', stop));
  }
  return child;
}

/**
 * Ends a program started with `group` and everything it started. Synchronous, because Ctrl-C handling exits
 * right after the teardown: on POSIX SIGTERM to its process group; on Windows taskkill /T /F, waited for, and
 * the program itself ended directly if taskkill cannot (missing, or without /T as in Wine).
 */
export function stopTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    const taskkill = join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'taskkill.exe');
    const result = spawnSync(taskkill, ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', timeout: 5000, windowsHide: true });
    if (result.status !== 0) child.kill();
    return;
  }
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM'); // not a group leader after all
  }
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
      if (options.signal?.aborted) stderr += `\nstopped (${signal ?? `exit ${code}`}): ${String(options.signal.reason)}`;
      else if (signal) stderr += `\nkilled by ${signal}${options.timeoutMs !== undefined ? ` (time limit ${options.timeoutMs} ms)` : ''}`;
      resolve({ code: code ?? 128, stdout, stderr });
    });
  });
}
