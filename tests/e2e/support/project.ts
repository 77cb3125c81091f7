// A project (robots.env + workspace) pointed at simulated robots, and ways to look at the robots.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SimFleet, SimRobot } from '../../../scripts/dev/sim/harness.ts';
import { REPO } from '../../support/cli.ts';

export const TEST_IMAGE = 'rd-e2e';

const projectDirs: string[] = [];
process.once('exit', () => {
  for (const dir of projectDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh project directory, removed when the test process exits. */
export function makeProjectDir(): string {
  const dir = mkdtempSync(join('/var/tmp', 'rd-e2e-project-'));
  projectDirs.push(dir);
  return dir;
}

/** robots.env in the format for the given robots; CONTEXT defaults to the project dir itself. */
export function writeProjectEnv(
  dir: string,
  fleet: SimFleet,
  robots: SimRobot[],
  workspace: string,
  extra: string[] = [],
  context = '.',
): string {
  const file = join(dir, 'robots.env');
  const lines = [
    `IMAGE=${TEST_IMAGE}`,
    `CONTEXT=${context}`,
    `WORKSPACES=${workspace}`,
    'PLATFORM=linux/amd64',
    `SSH_KEY=${fleet.keyPath}`,
    'REGISTRY_PORT=5000',
  ];
  for (const robot of robots) lines.push(`${robot.name.toUpperCase()}_HOST=${fleet.user}@${robot.address}`);
  writeFileSync(file, `${[...lines, ...extra].join('\n')}\n`);
  return file;
}

export function dockerOn(robot: SimRobot | undefined, args: string[]): string {
  return execFileSync('docker', args, {
    encoding: 'utf8',
    env: robot ? robot.dockerEnv() : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** docker on the laptop, with `env` over this process's (e.g. a fleet's laptopEnv for the Debian 13 engine). */
export function laptopDocker(env: NodeJS.ProcessEnv, args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The image ID behind a ref, or undefined when absent. */
export function imageIdOn(robot: SimRobot | undefined, ref: string): string | undefined {
  try {
    return dockerOn(robot, ['image', 'inspect', '--format', '{{.Id}}', ref]);
  } catch {
    return undefined;
  }
}

/** Blob uploads the robot's registry completed (PUT …/blobs/uploads/…?digest=… answered 201). */
export function blobUploads(robot: SimRobot): number {
  let logs = '';
  try {
    logs = execFileSync('docker', ['logs', 'robot-deploy-registry'], {
      encoding: 'utf8',
      env: robot.dockerEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    return 0;
  }
  return logs.split('\n').filter((line) => /"PUT \/v2\/[^"]*\/blobs\/uploads\/[^"]*digest=sha256[^"]*" 201/.test(line)).length;
}

let laptopCache: string | undefined;
/** The deploys' laptop cache (chunk indexes, link rates): one per test process, so tests leave nothing in ~/.cache. */
const testLaptopCache = (): string => {
  laptopCache ??= makeProjectDir();
  return laptopCache;
};

export interface RunningScript {
  pid: number;
  output(): string;
  exited: Promise<number>;
  signal(name: NodeJS.Signals): void;
}

/**
 * Starts scripts/<script> as a user would (no TTY, no stdin) and keeps it controllable. `holdBefore`
 * preloads hold-before-step.ts, which parks every robot before that step until the run is interrupted.
 */
export function startScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, holdBefore?: string): RunningScript {
  const hold = holdBefore ? ['--import', pathToFileURL(join(import.meta.dirname, 'hold-before-step.ts')).href] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...hold, join(REPO, 'scripts', script), ...args], {
    cwd: REPO,
    env: { ...process.env, XDG_CACHE_HOME: testLaptopCache(), ...env, ...(holdBefore ? { RD_E2E_HOLD_BEFORE: holdBefore } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return {
    pid: child.pid!,
    output: () => output,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1)))),
    signal: (name) => child.kill(name),
  };
}

export async function runScriptAsync(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; output: string; ms: number }> {
  const start = performance.now();
  const running = startScript(script, args, env);
  const code = await running.exited;
  return { code, output: running.output(), ms: performance.now() - start };
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
