// The benchmark's own sim scope and project: robots.env, a ~150 MB workspace, the laptop build.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, type GeneratedWorkspace, type SimFleet, type SimRobot } from '../sim/harness.ts';
import { hostPlatform } from '../sim/names.ts';
import { writeRobotsEnvFile } from '../sim/robots-env.ts';
import { runArgv } from './child-processes.ts';

/** Never the tests' (rdt/10.78), the demo's (rdsim/10.77) or others' scopes. */
export const BENCH_SCOPE = { prefix: 'rdb', subnet: '10.76', stateDir: '/var/tmp/robot-deploy-sim-bench' } as const;
/** sim1 and sim2 on plain 100 Mbit/s links; slow drops to 2 Mbit/s for its scenario; far has 50 ms RTT. */
export const BENCH_ROBOTS = ['sim1', 'sim2', 'slow', 'far'] as const;
export const LINK_RATE = '100mbit';
export const LINK_BITS_PER_SECOND = 100e6;
export const BENCH_IMAGE = 'rd-bench';
export const BENCH_WS = 'bench';
/** 143 MiB ≈ 150 MB of /dev/urandom: gzip cannot shrink it, so every byte must cross the link. */
export const BASE_SIZE_MIB = 143;
export const BASE_BYTES = BASE_SIZE_MIB * 1024 * 1024;

export interface BenchProject {
  fleet: SimFleet;
  dir: string;
  envFile: string;
  workspace: GeneratedWorkspace;
  /** IMAGE:WS on the laptop and on every robot. */
  ref: string;
  /** The same `docker build` robot-deploy runs without buildx; the baselines build with it too. */
  buildArgv: string[];
  robots(names: readonly string[]): SimRobot[];
}

export async function makeBenchProject(fleet: SimFleet): Promise<BenchProject> {
  // Fresh every run: a new base-layer token, and a robot-deploy known_hosts that starts empty.
  const dir = join(BENCH_SCOPE.stateDir, 'project');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const workspace = await makeWorkspace(dir, { name: BENCH_WS, baseSizeMiB: BASE_SIZE_MIB });
  const envFile = join(dir, 'robots.env');
  const platform = hostPlatform();
  await writeRobotsEnvFile(envFile, {
    image: BENCH_IMAGE,
    context: '.',
    workspaces: [BENCH_WS],
    platform,
    sshKey: fleet.keyPath,
    registryPort: 5000,
    robots: fleet.robots,
  });
  const ref = `${BENCH_IMAGE}:${BENCH_WS}`;
  return {
    fleet,
    dir,
    envFile,
    workspace,
    ref,
    buildArgv: ['docker', 'build', '--platform', platform, '--tag', ref, '--file', workspace.dockerfile, dir],
    robots: (names) => names.map((name) => fleet.robot(name)),
  };
}

export async function buildOnLaptop(project: BenchProject): Promise<void> {
  await runArgv(project.buildArgv, { timeoutMs: 600_000 });
}

/** Every laptop image this run built, removed at the end (only ours, by ID). */
export class LaptopImages {
  private readonly ids = new Set<string>();

  note(id: string): void {
    this.ids.add(id);
  }

  /** Also whatever IMAGE:WS is now: a run that failed before its check built one nobody noted. */
  async remove(): Promise<void> {
    const current = await runArgv(['docker', 'image', 'inspect', '--format', '{{.Id}}', `${BENCH_IMAGE}:${BENCH_WS}`], { allowFail: true });
    if (current.code === 0) this.ids.add(current.stdout.trim());
    if (this.ids.size) await runArgv(['docker', 'image', 'rm', '--force', ...this.ids], { allowFail: true });
  }
}
