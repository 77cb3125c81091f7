// Stops a fleet from whatever is left of it: the record, runtime dirs, netns and veth names
// are each enough to find a robot, so a half-finished `up` can always be cleaned away.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { removeRobotCgroups, robotCgroupPids } from './cgroups.ts';
import { capture, run } from './exec.ts';
import { stopLaptopDocker26 } from './laptop-docker26.ts';
import { stopVmLaptop } from './laptop-vm.ts';
import { removeLinkLoss } from './link-shape.ts';
import { inSubnet, isOurNetns, isOurVeth, netnsName, validatePrefix, validateSubnet } from './names.ts';
import { deleteLink, deleteNetns, hostLinks, listNetns, removeSubnetGuard } from './network.ts';
import { allPids, cmdlineOf, netnsPids, terminate } from './processes.ts';
import { stopRobotDockerd } from './robot-dockerd.ts';
import { stopRobotSshd } from './robot-sshd.ts';
import {
  type FleetScope,
  fleetFiles,
  readFleetRecord,
  removeFleetRecord,
  resolveScope,
  robotDirNames,
  robotFiles,
  stateFiles,
} from './state.ts';

export interface SimScopeOptions {
  prefix?: string;
  subnet?: string;
  stateDir?: string;
}

function pidsMentioning(marker: string): number[] {
  return allPids().filter((pid) => cmdlineOf(pid)?.some((arg) => arg.includes(marker)));
}

/** Host-namespace mounts under dir (only there if a robot was started without its own mount ns). */
function mountsUnder(dir: string): string[] {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return lines
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Stops everything that runs for one robot; its network goes afterwards, for all robots at once. */
async function stopRobot(scope: FleetScope, name: string): Promise<void> {
  const files = robotFiles(scope, name);
  const netns = netnsName(scope.prefix, name);
  await stopRobotSshd(files);
  await stopRobotDockerd(files);
  const namespaces = await listNetns();
  // ssh sessions, docker-proxy, or a dockerd killed before it wrote its pidfile
  if (namespaces.includes(netns)) await terminate(await netnsPids(netns), 5_000);
  await terminate(pidsMentioning(`${files.dir}/`), 5_000);
  // containers left running by a robot dockerd that died without stopping them
  await terminate(robotCgroupPids(files.id), 5_000);
  removeRobotCgroups(files.id);
  for (const point of mountsUnder(files.dir)) await run('umount', ['-l', point], { allowFail: true });
}

async function subnetStillUsed(subnet: string): Promise<boolean> {
  const addrs = JSON.parse(await capture('ip', ['-j', '-4', 'addr', 'show'])) as { addr_info?: { local: string }[] }[];
  return addrs.some((link) => (link.addr_info ?? []).some((info) => inSubnet(subnet, info.local)));
}

/** Stops every robot of this prefix/state dir; safe to call when nothing (or half a fleet) runs. */
export async function downSimFleet(opts: SimScopeOptions = {}): Promise<void> {
  const scope = resolveScope(opts);
  validatePrefix(scope.prefix);
  const record = readFleetRecord(scope);
  const subnet = record?.subnet ?? scope.subnet;
  validateSubnet(subnet);
  const names = new Set<string>([
    ...(record?.robots.map((robot) => robot.name) ?? []),
    ...robotDirNames(scope),
    ...(await listNetns()).filter((ns) => isOurNetns(scope.prefix, ns)).map((ns) => ns.slice(scope.prefix.length + 1)),
  ]);
  const failures: string[] = [];
  const note = (err: unknown) => failures.push(err instanceof Error ? err.message : String(err));
  await Promise.all([...names].map((name) => stopRobot(scope, name).catch(note)));
  await stopLaptopDocker26(scope).catch(note);
  await stopVmLaptop({ ...scope, subnet }, pidsMentioning).catch(note);
  await removeLinkLoss((ifname) => isOurVeth(scope.prefix, ifname)).catch(note);
  // Host veths first: deleting only the netns would leave the pair to the kernel's lazy cleanup.
  for (const link of hostLinks().filter((ifname) => isOurVeth(scope.prefix, ifname))) await deleteLink(link).catch(note);
  for (const name of names) {
    await deleteNetns(netnsName(scope.prefix, name)).catch(note);
    rmSync(robotFiles(scope, name).dir, { recursive: true, force: true });
  }
  if (!(await subnetStillUsed(subnet))) await removeSubnetGuard(subnet);
  removeFleetRecord(scope);
  rmSync(fleetFiles(scope).knownHosts, { force: true });
  rmSync(fleetFiles(scope).sudoers, { force: true });
  // Once the guard route is gone, a stale robots.env would send a deploy off the machine.
  const robotsEnv = stateFiles(scope.stateDir).robotsEnv;
  if (existsSync(robotsEnv) && readFileSync(robotsEnv, 'utf8').includes(`@${subnet}.`)) rmSync(robotsEnv, { force: true });
  if (failures.length) throw new Error(`sim down (${scope.prefix} in ${scope.stateDir}) left problems:\n${failures.join('\n')}`);
}

/** sudo reads every file in /etc/sudoers.d, so a half-written one must never be seen: write, then rename. */
export function writeSudoers(scope: FleetScope, content: string): void {
  const file = fleetFiles(scope).sudoers;
  writeFileSync(`${file}.tmp`, content, { mode: 0o440 });
  renameSync(`${file}.tmp`, file);
}
