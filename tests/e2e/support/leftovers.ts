// An independent look for anything a simulated fleet left behind. It deliberately shares no
// code with the teardown it checks: it asks ip, ss, /proc and /sys directly.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface LeftoverScope {
  /** First two octets of the fleet subnet, e.g. '10.78'. */
  subnet?: string;
  stateDir?: string;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Inode numbers of the prefix's network namespaces (robots and the laptop VM). */
function ourNetnsInodes(prefix: string): Set<number> {
  const inodes = new Set<number>();
  for (const line of sh('ip', ['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    try {
      if (name.startsWith(`${prefix}-`)) inodes.add(statSync(`/var/run/netns/${name}`).ino);
    } catch {
      // deleted meanwhile
    }
  }
  return inodes;
}

function netnsInode(pid: number): number | undefined {
  const link = (() => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return '';
    }
  })();
  const inode = /^net:\[(\d+)\]$/.exec(link)?.[1];
  return inode ? Number(inode) : undefined;
}

function processLeftovers(prefix: string, stateDir: string | undefined): Map<number, string> {
  const found = new Map<number, string>();
  const pathMark = stateDir ? `${stateDir}/robots/${prefix}-` : `/robots/${prefix}-`;
  // The laptop VM's dockerd, agents and containerd name their directory; docker-proxy only lives in its netns.
  const vmMark = stateDir ? `${stateDir}/${prefix}-laptop-vm/` : `/${prefix}-laptop-vm/`;
  const namespaces = ourNetnsInodes(prefix);
  const cgroupMark = `:/${prefix}-`;
  const ownMntNs = readlinkSync('/proc/self/ns/mnt');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const pid = Number(entry);
    const stat = read(`/proc/${pid}/stat`);
    if (!stat || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
    const cmdline = read(`/proc/${pid}/cmdline`).split('\0').join(' ').trim();
    let why: string | undefined;
    if (cmdline.includes(pathMark) || cmdline.includes(vmMark)) why = 'command line';
    else if (namespaces.has(netnsInode(pid) ?? -1)) why = 'network namespace';
    else if (read(`/proc/${pid}/cgroup`).includes(cgroupMark)) why = 'robot cgroup';
    else {
      let mntNs = ownMntNs;
      try {
        mntNs = readlinkSync(`/proc/${pid}/ns/mnt`);
      } catch {
        // exited meanwhile
      }
      // ssh sessions show only "sshd: rdsim@notty"; their mount namespace still holds the robot home.
      if (mntNs !== ownMntNs && read(`/proc/${pid}/mountinfo`).includes(pathMark)) why = 'robot mount namespace';
    }
    if (why) found.set(pid, `process ${pid} (${why}): ${cmdline.slice(0, 160)}`);
  }
  return found;
}

/** Everything of the given prefix still present: netns, links, addresses, routes, processes, ports, cgroups, runtime dirs. */
export function leftovers(prefix: string, scope: LeftoverScope = {}): string[] {
  const found: string[] = [];
  for (const line of sh('ip', ['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(`${prefix}-`)) found.push(`netns ${name}`);
  }
  // Robot links, the laptop VM's veth pair and the docker26 laptop's bridge.
  const veth = new RegExp(`^${prefix}(\\d+[hr]|vm[hg]|lap26)$`);
  for (const link of existsSync('/sys/class/net') ? readdirSync('/sys/class/net') : []) {
    if (veth.test(link)) found.push(`link ${link}`);
  }
  if (scope.subnet) {
    const inSubnet = (text: string) => text.includes(` ${scope.subnet}.`) || text.startsWith(`${scope.subnet}.`);
    for (const line of sh('ip', ['-4', '-o', 'addr', 'show']).split('\n')) if (inSubnet(line)) found.push(`address: ${line.trim()}`);
    for (const line of sh('ip', ['-4', 'route', 'show', 'table', 'all']).split('\n')) {
      if (line.split(' ').some((word) => word.startsWith(`${scope.subnet}.`))) found.push(`route: ${line.trim()}`);
    }
  }
  const processes = processLeftovers(prefix, scope.stateDir);
  found.push(...processes.values());
  for (const line of sh('ss', ['-Hltnp']).split('\n').filter(Boolean)) {
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    const local = line.trim().split(/\s+/)[3] ?? '';
    if (pids.some((pid) => processes.has(pid)) || (scope.subnet && local.startsWith(`${scope.subnet}.`))) {
      found.push(`listening: ${line.trim()}`);
    }
  }
  for (const rule of sh('iptables', ['-w', '-t', 'nat', '-S']).split('\n')) {
    if (rule.includes(` ${prefix}vmh `)) found.push(`iptables nat rule: ${rule}`);
  }
  const cgroupRoot = '/sys/fs/cgroup';
  for (const hierarchy of existsSync(cgroupRoot) ? ['', ...readdirSync(cgroupRoot)] : []) {
    const dir = join(cgroupRoot, hierarchy);
    try {
      for (const entry of readdirSync(dir)) if (entry.startsWith(`${prefix}-`)) found.push(`cgroup ${join(dir, entry)}`);
    } catch {
      // not a directory
    }
  }
  if (scope.stateDir && existsSync(join(scope.stateDir, `${prefix}-laptop-vm`))) {
    found.push(`laptop VM dir ${join(scope.stateDir, `${prefix}-laptop-vm`)}`);
  }
  if (scope.stateDir && existsSync(join(scope.stateDir, 'robots'))) {
    for (const entry of readdirSync(join(scope.stateDir, 'robots'))) {
      if (entry.startsWith(`${prefix}-`)) found.push(`runtime dir ${join(scope.stateDir, 'robots', entry)}`);
    }
  }
  return found;
}
