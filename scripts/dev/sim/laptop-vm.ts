// A VM-like laptop engine (Docker Desktop-like or colima-like): Debian 13's dockerd in a network, mount and
// UTS namespace of its own, the CLI on the host reaching it through a unix socket, its DNS and published
// ports served by two agents (vm-guest-agent.ts inside, vm-host-agent.ts on the host).
import { chmodSync, existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { removeRobotCgroups, robotCgroupPids } from './cgroups.ts';
import { enginePath } from './engine-flavours.ts';
import { toolEnv, waitUntil } from './exec.ts';
import { osRelease, VM_PROFILES, type VmLaptopKind } from './laptop-engines.ts';
import { EXPOSE_PORT, type VmLaptopFiles, vmCliPlugins, vmDaemonConfig, vmHostsFile, vmLaptopFiles } from './laptop-vm-files.ts';
import { createVmNetwork, removeVmNetwork } from './laptop-vm-network.ts';
import { listNetns } from './network.ts';
import { type DetachedProcess, isOurProcess, netnsPids, readPidFile, spawnDetached, terminate } from './processes.ts';
import { waitForDockerd } from './robot-dockerd.ts';
import { ensureDir, type FleetScope } from './state.ts';

const GUEST_AGENT = fileURLToPath(new URL('./vm-guest-agent.ts', import.meta.url));
const HOST_AGENT = fileURLToPath(new URL('./vm-host-agent.ts', import.meta.url));

// The VM's own hostname, os-release (docker info's OperatingSystem), hosts and resolv.conf (its DNS
// server), and a directory over /run/containerd so that it starts a containerd of its own.
const DAEMON_WRAPPER =
  'hostname "$1" && mount --bind "$2" /etc/os-release && mount --bind "$3" /etc/hosts && mount --bind "$4" /etc/resolv.conf && ' +
  '{ [ ! -d /run/containerd ] || mount --bind "$5" /run/containerd; } && shift 5 && exec dockerd "$@"';

function writeVmFiles(kind: VmLaptopKind, files: VmLaptopFiles): void {
  const profile = VM_PROFILES[kind];
  for (const dir of [files.dir, files.data, files.exec, files.containerdRun, files.config, files.spool]) ensureDir(dir);
  const plugins = vmCliPlugins(kind);
  if (plugins && !existsSync(`${files.config}/cli-plugins`)) symlinkSync(plugins, `${files.config}/cli-plugins`);
  writeFileSync(files.daemonJson, `${JSON.stringify(vmDaemonConfig(kind, files), null, 2)}\n`);
  writeFileSync(files.osRelease, osRelease(kind));
  writeFileSync(files.hosts, vmHostsFile(profile.hostname));
  writeFileSync(files.resolvConf, `nameserver ${files.layout.guestAddress}\n`);
  writeFileSync(files.exposePort, EXPOSE_PORT);
  chmodSync(files.exposePort, 0o755);
  if (profile.exposeBeforeStart) writeFileSync(`${files.dir}/expose-sync`, '');
}

function tsxNode(script: string, args: string[]): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, script, ...args];
}

async function startAgent(what: string, argv: string[], pidFile: string, logFile: string): Promise<void> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const agent = spawnDetached(cmd, args, logFile);
  let exitCode: number | undefined;
  void agent.exited.then((code) => (exitCode = code));
  const ready = await waitUntil(() => exitCode !== undefined || readPidFile(pidFile) !== undefined, 20_000, 20);
  if (!ready || exitCode !== undefined) throw new Error(`the laptop VM's ${what} did not start; see ${logFile}`);
}

function startDaemon(kind: VmLaptopKind, files: VmLaptopFiles): DetachedProcess {
  const wrapper = ['unshare', '-m', '-u', '--propagation', 'private', 'sh', '-c', DAEMON_WRAPPER, 'sim-laptop-vm-dockerd'];
  const mounts = [VM_PROFILES[kind].hostname, files.osRelease, files.hosts, files.resolvConf, files.containerdRun];
  const dockerd = ['--data-root', files.data, '--exec-root', files.exec, '-H', `unix://${files.sock}`];
  const more = ['--pidfile', files.pid, '--config-file', files.daemonJson];
  return spawnDetached(
    'nsenter',
    [`--net=/var/run/netns/${files.layout.netns}`, ...wrapper, ...mounts, ...dockerd, ...more],
    files.log,
    toolEnv({ PATH: enginePath('docker26') }),
  );
}

export async function startVmLaptop(scope: FleetScope, kind: VmLaptopKind): Promise<void> {
  const files = vmLaptopFiles(scope);
  const { layout } = files;
  writeVmFiles(kind, files);
  writeFileSync(files.agentLog, '');
  await createVmNetwork(layout);
  const names = VM_PROFILES[kind].hostNames.map((name) => `${name}=${layout.hostAddress}`);
  const guest = tsxNode(GUEST_AGENT, [files.guestPid, layout.guestAddress, files.guestSock, ...names]);
  await startAgent('guest agent', ['nsenter', `--net=/var/run/netns/${layout.netns}`, ...guest], files.guestPid, files.agentLog);
  const answer = VM_PROFILES[kind].exposeBeforeStart ? 'answer' : 'no-answer';
  await startAgent('host agent', tsxNode(HOST_AGENT, [files.hostPid, files.spool, files.guestSock, answer]), files.hostPid, files.agentLog);
  await waitForDockerd(startDaemon(kind, files), files.sock, `the ${kind} laptop VM's dockerd`, files.log);
}

function ourPid(pidFile: string, marker: string): number | undefined {
  const pid = readPidFile(pidFile);
  return pid !== undefined && isOurProcess(pid, marker) ? pid : undefined;
}

export interface VmLaptopPids {
  dockerd?: number;
  guestAgent?: number;
  hostAgent?: number;
}

export function vmLaptopPids(scope: FleetScope): VmLaptopPids {
  const files = vmLaptopFiles(scope);
  const [dockerd, guestAgent, hostAgent] = [
    ourPid(files.pid, files.pid),
    ourPid(files.guestPid, files.guestPid),
    ourPid(files.hostPid, files.hostPid),
  ];
  return { ...(dockerd ? { dockerd } : {}), ...(guestAgent ? { guestAgent } : {}), ...(hostAgent ? { hostAgent } : {}) };
}

/** Stops whatever is left of the VM laptop (safe when none ran) and removes all it made. */
export async function stopVmLaptop(scope: FleetScope, pidsMentioning: (marker: string) => number[]): Promise<void> {
  const files = vmLaptopFiles(scope);
  const { layout } = files;
  const pids = vmLaptopPids(scope);
  // dockerd first: it stops its containers and their proxies, whose exit closes the host's forwards.
  if (pids.dockerd) await terminate([pids.dockerd], 40_000);
  if ((await listNetns()).includes(layout.netns)) await terminate(await netnsPids(layout.netns), 5_000);
  await terminate([...(pids.hostAgent ? [pids.hostAgent] : []), ...pidsMentioning(`${files.dir}/`)], 5_000);
  await terminate(robotCgroupPids(layout.id), 5_000);
  removeRobotCgroups(layout.id);
  await removeVmNetwork(layout);
  if (existsSync(files.dir)) rmSync(files.dir, { recursive: true, force: true });
}
