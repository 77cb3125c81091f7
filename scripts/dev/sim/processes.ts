// Finding, signalling and waiting for the daemons the simulator starts.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { run, toolEnv, waitUntil } from './exec.ts';

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function cmdlineOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie: a zombie still answers kill(pid, 0) but holds no resources. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** True when pid is alive and its command line mentions `marker` (guards against recycled pids). */
export function isOurProcess(pid: number, marker: string): boolean {
  return isAlive(pid) && (cmdlineOf(pid)?.some((arg) => arg.includes(marker)) ?? false);
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL whatever is left; resolves when all are gone. */
export async function terminate(pids: number[], graceMs: number): Promise<void> {
  const live = pids.filter(isAlive);
  if (live.length === 0) return;
  for (const pid of live) signal(pid, 'SIGTERM');
  if (await waitUntil(() => live.every((pid) => !isAlive(pid)), graceMs)) return;
  for (const pid of live.filter(isAlive)) signal(pid, 'SIGKILL');
  await waitUntil(() => live.every((pid) => !isAlive(pid)), 5_000);
}

export interface DetachedProcess {
  pid: number;
  /** Resolves with the exit code if the process ends while we are still running. */
  exited: Promise<number>;
}

/** Starts a long-lived daemon in its own session so it outlives the CLI that started it. */
export function spawnDetached(cmd: string, args: string[], logFile: string, env = toolEnv()): DetachedProcess {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], env });
    if (child.pid === undefined) throw new Error(`cannot start ${cmd}; see ${logFile}`);
    const exited = new Promise<number>((resolve) => {
      child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1)));
      child.on('error', () => resolve(127));
    });
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(log);
  }
}

/** Pids whose network namespace is the named one. */
export async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', netns], { allowFail: true });
  return stdout
    .split('\n')
    .map((line) => Number.parseInt(line, 10))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}
