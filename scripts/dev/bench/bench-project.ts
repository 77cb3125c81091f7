// The benchmark's own sim scope and project: robots.env, a ~150 MB workspace, the laptop build.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, type SimFleet, type SimRobot } from '../sim/harness.ts';
import { hostPlatform } from '../sim/names.ts';
import { writeRobotsEnvFile } from '../sim/robots-env.ts';
import { runArgv } from './child-processes.ts';
import { makeHarnessWorkspace } from './harness-workspace.ts';
import { makeRosWorkspace } from './ros-workspace.ts';

/** Never the tests' (rdt/10.78), the demo's (rdsim/10.77) or others' scopes. */
export const BENCH_SCOPE = { prefix: 'rdb', subnet: '10.76', stateDir: '/var/tmp/robot-deploy-sim-bench' } as const;
/** sim1 and sim2 on plain 100 Mbit/s links; slow drops to 2 Mbit/s for its scenario; far has 50 ms RTT. */
export const BENCH_ROBOTS = ['sim1', 'sim2', 'slow', 'far'] as const;
export const LINK_RATE = '100mbit';
export const LINK_BITS_PER_SECOND = 100e6;
export const BENCH_IMAGE = 'rd-bench';
export const BENCH_WS = 'bench';
/** The ROS-like workspace (ros-workspace.ts), a project of its own. */
export const ROS_WS = 'ros';
/** deploy --watch's own copy of the ~150 MB workspace. */
export const WATCH_WS = 'watch';
/** The second harness's workspace (harness-workspace.ts), for the OpenSSH flow and for deploy --watch. */
export const HARNESS_WS = 'harness';
export const HARNESS_WATCH_WS = 'harness-watch';
/** 143 MiB ≈ 150 MB of /dev/urandom: gzip cannot shrink it, so every byte must cross the link. */
export const BASE_SIZE_MIB = 143;
export const BASE_BYTES = BASE_SIZE_MIB * 1024 * 1024;

export interface BenchProject {
  fleet: SimFleet;
  dir: string;
  envFile: string;
  /** setTop: a new top.txt, or for the ROS-like workspace one rebuilt package (3 files). */
  workspace: { dockerfile: string; setTop(content: string | Uint8Array): Promise<void>; floorBytes?(): number };
  /** IMAGE:WS on the laptop and on every robot. */
  ref: string;
  /** The same `docker build` robot-deploy runs without buildx; the baselines build with it too. */
  buildArgv: string[];
  robots(names: readonly string[]): SimRobot[];
}

export async function makeBenchProject(fleet: SimFleet, ws: string = BENCH_WS): Promise<BenchProject> {
  // Fresh every run: a new base-layer token, and a robot-deploy known_hosts that starts empty.
  const dir = join(BENCH_SCOPE.stateDir, ws === BENCH_WS ? 'project' : `project-${ws}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const workspace =
    ws === ROS_WS
      ? await makeRosWorkspace(dir, ws)
      : ws === HARNESS_WS || ws === HARNESS_WATCH_WS
        ? await makeHarnessWorkspace(dir, ws)
        : await makeWorkspace(dir, { name: ws, baseSizeMiB: BASE_SIZE_MIB });
  const envFile = join(dir, 'robots.env');
  const platform = hostPlatform();
  await writeRobotsEnvFile(envFile, {
    image: BENCH_IMAGE,
    context: '.',
    workspaces: [ws],
    platform,
    sshKey: fleet.keyPath,
    registryPort: 5000,
    robots: fleet.robots,
  });
  const ref = `${BENCH_IMAGE}:${ws}`;
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
    for (const ws of [BENCH_WS, ROS_WS, WATCH_WS, HARNESS_WS, HARNESS_WATCH_WS]) {
      const current = await runArgv(['docker', 'image', 'inspect', '--format', '{{.Id}}', `${BENCH_IMAGE}:${ws}`], {
        allowFail: true,
      });
      if (current.code === 0) this.ids.add(current.stdout.trim());
    }
    if (this.ids.size) await runArgv(['docker', 'image', 'rm', '--force', ...this.ids], { allowFail: true });
  }
}
