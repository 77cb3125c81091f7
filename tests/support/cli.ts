import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { laptopCommandLine } from '../../scripts/lib/shell/command-line.ts';

export const REPO = resolve(import.meta.dirname, '..', '..');

/** Runs one of scripts/*.ts the way a user does, without a TTY and without stdin. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 60_000): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', script), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout,
  });
  // listr2 ends its lines with os.EOL, CRLF on Windows; the assertions read lines.
  return { ...result, stdout: result.stdout?.replace(/\r\n/g, '\n'), stderr: result.stderr?.replace(/\r\n/g, '\n') };
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

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The dry run's laptop build line for a project made by makeProject, as this OS's shell writes it (any --iidfile). */
export function laptopBuildLine(dir: string): RegExp {
  const argv = ['docker', 'build', '--platform', 'linux/amd64', '--tag', 'eurobot2023:navigation', '--iidfile', 'IID'];
  const line = laptopCommandLine([...argv, '--file', join(dir, 'navigation', 'Dockerfile'), dir], { DOCKER_BUILDKIT: '1' });
  return new RegExp(`^ {2}${escapeRegExp(line).replace('IID', '\\S+')}$`, 'm');
}
