// A robot's own Docker engine: a dockerd inside the robot's network namespace, in a private
// mount namespace, with its socket, data and pid under the robot's runtime dir.

import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { robotCgroupParent } from './cgroups.ts';
import { type EngineFlavour, engineFeatures, enginePath } from './engine-flavours.ts';
import { toolEnv, waitUntil } from './exec.ts';
import { inPrivateMounts, type RobotLayout } from './names.ts';
import { type DetachedProcess, isOurProcess, readPidFile, spawnDetached, terminate } from './processes.ts';
import { ensureDir, type robotFiles } from './state.ts';

type RobotFiles = ReturnType<typeof robotFiles>;

// A system containerd at /run/containerd/containerd.sock would be picked up by every robot
// dockerd (one shared "moby" namespace, containers in the host netns). Hiding /run/containerd
// behind a per-robot directory makes each robot dockerd start its own containerd.
const WRAPPER =
  '{ hostname "$2" 2>/dev/null || true; }; if [ -d /run/containerd ]; then mount --bind "$1" /run/containerd || exit 1; fi; ' +
  'shift 2; exec dockerd "$@"';

export function startRobotDockerd(robot: RobotLayout, files: RobotFiles, group: string, engine: EngineFlavour): DetachedProcess {
  for (const dir of [files.dir, files.data, files.exec, files.containerdRun]) ensureDir(dir);
  const config = {
    ...engineFeatures(engine),
    'cgroup-parent': robotCgroupParent(files.id),
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
  };
  writeFileSync(files.daemonJson, `${JSON.stringify(config, null, 2)}\n`);
  const dockerdArgs = [
    '--data-root',
    files.data,
    '--exec-root',
    files.exec,
    '-H',
    `unix://${files.dockerSock}`,
    '--pidfile',
    files.dockerPid,
    '--config-file',
    files.daemonJson,
    '--group',
    group,
  ];
  // `ip netns exec` would remount /sys, which dockerd cannot live with; nsenter only joins the netns.
  return spawnDetached(
    'nsenter',
    [...inPrivateMounts(robot, WRAPPER), 'sim-robot-dockerd', files.containerdRun, robot.name, ...dockerdArgs],
    files.dockerLog,
    toolEnv({ PATH: enginePath(engine) }),
  );
}

export function pingDocker(socketPath: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export async function waitForRobotDockerd(daemon: DetachedProcess, files: RobotFiles, timeoutMs = 60_000): Promise<void> {
  await waitForDockerd(daemon, files.dockerSock, `robot ${files.id}: dockerd`, files.dockerLog, timeoutMs);
}

/** Resolves once the daemon answers /_ping on its socket; fails if it exits first or never answers. */
export async function waitForDockerd(
  daemon: DetachedProcess,
  socketPath: string,
  what: string,
  logFile: string,
  timeoutMs = 60_000,
): Promise<void> {
  let exitCode: number | undefined;
  void daemon.exited.then((code) => (exitCode = code));
  const ready = await waitUntil(async () => exitCode !== undefined || (await pingDocker(socketPath)), timeoutMs, 50);
  if (!ready || exitCode !== undefined) {
    const why = exitCode !== undefined ? `exited with ${exitCode}` : `did not answer on ${socketPath} within ${timeoutMs / 1000} s`;
    throw new Error(`${what} ${why}; see ${logFile}`);
  }
}

/** Stops the robot dockerd, which in turn stops its containerd, shims and containers. */
export async function stopRobotDockerd(files: RobotFiles, knownPid?: number): Promise<void> {
  const pids = [readPidFile(files.dockerPid), knownPid].filter(
    (pid): pid is number => pid !== undefined && isOurProcess(pid, files.dockerPid),
  );
  await terminate([...new Set(pids)], 40_000);
}
