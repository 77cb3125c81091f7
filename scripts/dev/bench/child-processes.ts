// Every process the benchmark starts goes through here: argv arrays only, never a local shell,
// and a set of live children so an interrupt stops exactly the processes this run started.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { startProcess } from '../../lib/runner/child-process.ts';
import { CommandError, type CommandResult } from '../../lib/runner/runner.ts';

/** Where the bench's commands run, as CommandError names it. */
export const BENCH_HOST = 'the bench host';

export interface Finished extends CommandResult {
  argv: string[];
}

export interface Running {
  child: ChildProcess;
  done: Promise<Finished>;
}

export interface LaunchOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The previous pipeline stage's stdout. */
  stdin?: Readable;
  /** false for a stage whose stdout feeds the next stage. */
  keepStdout?: boolean;
  timeoutMs?: number;
  /** A process group of its own, so `interrupt` reaches every process under it, as Ctrl-C on a terminal does. */
  group?: boolean;
}

/** The product's CommandError for a finished bench command; `what` names it (default: its argv). */
export function commandFailed(finished: Finished, what = finished.argv.join(' ')): CommandError {
  return new CommandError(BENCH_HOST, finished.argv, finished, what);
}

const live = new Set<ChildProcess>();
const MAX_KEPT = 256 * 1024;

/** Starts one command through the product's startProcess and keeps its handle until it ends (see stopChildren). */
export function launch(argv: string[], opts: LaunchOptions = {}): Running {
  const child = startProcess(argv, { cwd: opts.cwd, env: opts.env, stdin: opts.stdin, group: opts.group, timeoutMs: opts.timeoutMs });
  live.add(child);
  // The child holds its own copy of the pipe; ours would only keep the writer from seeing EPIPE.
  opts.stdin?.destroy();
  let stdout = '';
  let stderr = '';
  if (opts.keepStdout !== false)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-MAX_KEPT)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-MAX_KEPT)));
  const done = new Promise<Finished>((resolve) => {
    const finish = (code: number) => {
      live.delete(child);
      resolve({ argv, code, stdout, stderr });
    };
    child.on('error', (error) => {
      stderr += `\ncannot run ${argv[0]}: ${error.message}`;
      finish(127);
    });
    child.on('close', (code, signal) => {
      if (signal)
        stderr += `\nkilled by ${signal}${signal === 'SIGKILL' && opts.timeoutMs ? ` (time limit ${opts.timeoutMs / 1000} s)` : ''}`;
      finish(code ?? 128);
    });
  });
  return { child, done };
}

/** Runs one command to its end; throws CommandError on a non-zero exit unless allowFail. */
export async function runArgv(argv: string[], opts: LaunchOptions & { allowFail?: boolean } = {}): Promise<Finished> {
  const finished = await launch(argv, opts).done;
  if (finished.code !== 0 && !opts.allowFail) throw commandFailed(finished);
  return finished;
}

/** `a | b | c` with real processes; fails like `set -o pipefail`, naming every stage that failed. */
export async function runPipeline(stages: string[][], opts: Omit<LaunchOptions, 'stdin' | 'keepStdout'> = {}): Promise<Finished> {
  let input: Readable | undefined;
  const running = stages.map((argv, i) => {
    const stage = launch(argv, { ...opts, ...(input ? { stdin: input } : {}), keepStdout: i === stages.length - 1 });
    input = stage.child.stdout ?? undefined;
    return stage;
  });
  const results = await Promise.all(running.map((stage) => stage.done));
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length) throw new Error(failed.map((r) => commandFailed(r).message).join('\n'));
  return results[results.length - 1]!;
}

/** Ctrl-C on a terminal: SIGINT to the child's whole process group (`npx` relays no signal to its child). */
export function interrupt(running: Running): void {
  if (running.child.pid) process.kill(-running.child.pid, 'SIGINT');
}

/** On Ctrl-C: SIGTERM to each child this process started (by its own handle, never by name). */
export function stopChildren(): Promise<void> {
  const waiting = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        try {
          // A child with a group of its own (see `group`) is ended with everything under it.
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 10_000).unref();
      }),
  );
  return Promise.all(waiting).then(() => undefined);
}
