import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');

/** Runs one of scripts/*.ts the way a user does, without a TTY and without stdin. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', script), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
  });
}

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A directory under the system's temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A throwaway project dir holding robots.env and one dir with a Dockerfile per workspace. */
export function makeProject(envText: string, workspaces: string[] = ['navigation']): { dir: string; envFile: string } {
  const dir = tempDir('rd-project-');
  const envFile = join(dir, 'robots.env');
  writeFileSync(envFile, envText);
  for (const ws of workspaces) {
    mkdirSync(join(dir, ws), { recursive: true });
    writeFileSync(join(dir, ws, 'Dockerfile'), 'FROM scratch\n');
  }
  return { dir, envFile };
}
