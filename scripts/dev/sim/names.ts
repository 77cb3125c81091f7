// Pure naming and addressing rules for simulated robots: no I/O, so unit tests can cover them.

export const SIM_USER = 'rdsim';
export const SSH_PORT = 22;
export const MAX_ROBOTS = 254;
/** Linux IFNAMSIZ is 16 including the terminating NUL. */
export const MAX_IFNAME = 15;

const ROBOT_NAME = /^[a-z][a-z0-9-]{0,15}$/;
// Letters only: a prefix ending in a digit would make `${prefix}${K}h` ambiguous between prefixes.
const PREFIX = /^[a-z]+$/;
const RATE = /^\d+(\.\d+)?(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)$/i;

export interface RobotLayout {
  name: string;
  /** K in `${subnet}.K.0/24`; 1-based position in the fleet. */
  index: number;
  netns: string;
  hostVeth: string;
  robotVeth: string;
  address: string;
  hostAddress: string;
  cidr: string;
}

export function validateRobotName(name: string): void {
  if (!ROBOT_NAME.test(name)) {
    throw new Error(`invalid robot name "${name}": use 1-16 characters [a-z0-9-], starting with a letter`);
  }
}

export function validatePrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) throw new Error(`invalid sim prefix "${prefix}": use lowercase letters only`);
}

export function validateSubnet(subnet: string): void {
  const octets = subnet.split('.');
  const valid = octets.length === 2 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
  if (!valid) throw new Error(`invalid sim subnet "${subnet}": give the first two octets, e.g. 10.77`);
}

export function validateRate(rate: string): void {
  if (!RATE.test(rate)) throw new Error(`invalid rate "${rate}": use a tc rate such as 100mbit, 512kbit or 2mbps`);
}

export function defaultRobotNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ROBOTS) {
    throw new Error(`robot count must be an integer between 1 and ${MAX_ROBOTS}, got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => `sim${i + 1}`);
}

export function netnsName(prefix: string, name: string): string {
  return `${prefix}-${name}`;
}

export function vethNames(prefix: string, index: number): { hostVeth: string; robotVeth: string } {
  const hostVeth = `${prefix}${index}h`;
  if (hostVeth.length > MAX_IFNAME) {
    const room = MAX_IFNAME - String(index).length - 1;
    throw new Error(
      `sim prefix "${prefix}" is too long: interface name "${hostVeth}" has ${hostVeth.length} characters ` +
        `and Linux allows ${MAX_IFNAME}; use a prefix of at most ${room} letters`,
    );
  }
  return { hostVeth, robotVeth: `${prefix}${index}r` };
}

export function robotLayouts(prefix: string, subnet: string, names: string[]): RobotLayout[] {
  validatePrefix(prefix);
  validateSubnet(subnet);
  if (names.length < 1 || names.length > MAX_ROBOTS) {
    throw new Error(`a fleet needs between 1 and ${MAX_ROBOTS} robots, got ${names.length}`);
  }
  const seen = new Set<string>();
  return names.map((name, i) => {
    validateRobotName(name);
    if (seen.has(name)) throw new Error(`robot name "${name}" is used twice`);
    seen.add(name);
    const index = i + 1;
    return {
      name,
      index,
      netns: netnsName(prefix, name),
      ...vethNames(prefix, index),
      address: `${subnet}.${index}.2`,
      hostAddress: `${subnet}.${index}.1`,
      cidr: `${subnet}.${index}.0/24`,
    };
  });
}

/** robots.env key for a robot: `sim-1` → `SIM_1_HOST`. */
export function robotEnvKey(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_HOST`;
}

export function isOurNetns(prefix: string, netns: string): boolean {
  return netns.startsWith(`${prefix}-`) && ROBOT_NAME.test(netns.slice(prefix.length + 1));
}

export function isOurVeth(prefix: string, ifname: string): boolean {
  return new RegExp(`^${prefix}\\d{1,3}[hr]$`).test(ifname);
}

/** The /16 that holds every robot link of a fleet. */
export function subnetCidr(subnet: string): string {
  return `${subnet}.0.0/16`;
}

export function inSubnet(subnet: string, ipv4: string): boolean {
  return ipv4.startsWith(`${subnet}.`);
}

/** Docker's platform string for the machine the simulator runs on. */
export function hostPlatform(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm/v7', ppc64: 'ppc64le', s390x: 's390x' };
  return `linux/${map[arch] ?? arch}`;
}

/** nsenter's arguments for a robot daemon: join the robot's netns (not `ip netns exec`, which remounts /sys, fatal to
 * dockerd) with private mounts and UTS, then run `script` in sh. */
export const inPrivateMounts = (robot: Pick<RobotLayout, 'netns'>, script: string): string[] => [
  `--net=/var/run/netns/${robot.netns}`,
  ...['unshare', '-m', '-u', '--propagation', 'private', 'sh', '-c', script],
];

/** A VM-like laptop engine's network: its own namespace joined to the host by one veth pair. */
export interface VmLaptopLayout {
  /** `${prefix}-laptop.vm`: the dot keeps it from ever being taken for a robot's netns. */
  netns: string;
  hostVeth: string;
  guestVeth: string;
  /** The host's end, and what host.docker.internal names: its TCP is DNAT'ed to the host's loopback. */
  hostAddress: string;
  /** The VM's own address, where its DNS responder listens. */
  guestAddress: string;
  /** Directory name (under the state dir) and cgroup parent of the VM engine. */
  id: string;
}

// The last /24 of the fleet's /16, past every robot (at most 254); the docker26 laptop's bridge uses it too,
// and a fleet has one laptop engine.
const LAPTOP_NET = 255;

export function vmLaptopLayout(prefix: string, subnet: string): VmLaptopLayout {
  validatePrefix(prefix);
  validateSubnet(subnet);
  const hostVeth = `${prefix}vmh`;
  if (hostVeth.length > MAX_IFNAME) {
    throw new Error(
      `sim prefix "${prefix}" is too long for the laptop VM's interface "${hostVeth}": use at most ${MAX_IFNAME - 3} letters`,
    );
  }
  return {
    netns: `${prefix}-laptop.vm`,
    hostVeth,
    guestVeth: `${prefix}vmg`,
    hostAddress: `${subnet}.${LAPTOP_NET}.1`,
    guestAddress: `${subnet}.${LAPTOP_NET}.2`,
    id: `${prefix}-laptop-vm`,
  };
}
