// Runs system tools with argv arrays only, through the product's Runner interface; nothing goes through a shell.
import { ProcessRunner } from '../../lib/runner/process-runner.ts';
import { type CommandResult, runChecked } from '../../lib/runner/runner.ts';

// sudo and minimal CI shells often drop the sbin directories where ip, tc, dockerd and sshd live.
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Where the simulator's commands run, as CommandError names it. */
const WHERE = 'the sim host';

export function toolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = process.env.PATH ? `${process.env.PATH}:${SYSTEM_PATH}` : SYSTEM_PATH;
  return { ...process.env, PATH: path, ...extra };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Resolve with the exit code instead of throwing when the command fails. */
  allowFail?: boolean;
}

/** Runs a tool (60 s limit unless told); throws the product's CommandError on a non-zero exit unless allowFail. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const argv = [cmd, ...args];
  const host = new ProcessRunner(WHERE, opts.env ?? toolEnv(), opts.timeoutMs ?? 60_000);
  const options = opts.input === undefined ? {} : { input: opts.input };
  return opts.allowFail ? host.run(argv, options) : runChecked(host, argv, `\`${argv.join(' ')}\``, options);
}

/** Runs and returns trimmed stdout; throws CommandError on a non-zero exit. */
export async function capture(cmd: string, args: string[], opts: Omit<RunOptions, 'allowFail'> = {}): Promise<string> {
  return (await run(cmd, args, opts)).stdout.trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}
