// Robot network namespaces, veth pairs, Wi-Fi-like shaping and the guard route for the sim subnet.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { capture, run } from './exec.ts';
import { inSubnet, type RobotLayout, subnetCidr } from './names.ts';

const IFF_UP = 0x1;

export async function createRobotNetwork(robot: RobotLayout, rate?: string): Promise<void> {
  const ns = ['-n', robot.netns];
  await run('ip', ['netns', 'add', robot.netns]);
  await run('ip', ['link', 'add', robot.hostVeth, 'type', 'veth', 'peer', 'name', robot.robotVeth, 'netns', robot.netns]);
  await run('ip', ['addr', 'add', `${robot.hostAddress}/24`, 'dev', robot.hostVeth]);
  await run('ip', ['link', 'set', robot.hostVeth, 'up']);
  await run('ip', [...ns, 'addr', 'add', `${robot.address}/24`, 'dev', robot.robotVeth]);
  await run('ip', [...ns, 'link', 'set', robot.robotVeth, 'up']);
  await run('ip', [...ns, 'link', 'set', 'lo', 'up']);
  if (rate) await shapeRate(robot, rate);
}

/** tc tbf on both ends of the robot's link; replacing it changes the rate of a running link. */
export async function shapeRate(robot: Pick<RobotLayout, 'netns' | 'hostVeth' | 'robotVeth'>, rate: string): Promise<void> {
  const tbf = ['root', 'tbf', 'rate', rate, 'burst', '64kb', 'latency', '50ms'];
  await run('tc', ['qdisc', 'replace', 'dev', robot.hostVeth, ...tbf]);
  await run('tc', ['-n', robot.netns, 'qdisc', 'replace', 'dev', robot.robotVeth, ...tbf]);
}

/** Deletes a host-side link (and so its veth peer); a link that is already gone is fine. */
export async function deleteLink(ifname: string): Promise<void> {
  if (!hostLinks().includes(ifname)) return;
  const result = await run('ip', ['link', 'del', ifname], { allowFail: true });
  if (result.code !== 0 && hostLinks().includes(ifname)) throw new Error(`cannot delete link ${ifname}: ${result.stderr.trim()}`);
}

export async function deleteNetns(netns: string): Promise<void> {
  if ((await listNetns()).includes(netns)) await run('ip', ['netns', 'del', netns]);
}

export async function setLink(hostVeth: string, up: boolean): Promise<void> {
  await run('ip', ['link', 'set', hostVeth, up ? 'up' : 'down']);
}

export function linkIsUp(hostVeth: string): boolean | undefined {
  try {
    return (Number.parseInt(readFileSync(`/sys/class/net/${hostVeth}/flags`, 'utf8'), 16) & IFF_UP) !== 0;
  } catch {
    return undefined;
  }
}

export function hostLinks(): string[] {
  return existsSync('/sys/class/net') ? readdirSync('/sys/class/net') : [];
}

export async function listNetns(): Promise<string[]> {
  const out = await capture('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

interface IpAddr {
  ifname: string;
  addr_info?: { family: string; local: string }[];
}
interface IpRoute {
  dst: string;
  type?: string;
  dev?: string;
}

/** Refuses a subnet that an interface or route outside this fleet already uses. */
export async function assertSubnetFree(subnet: string, ourLinks: (ifname: string) => boolean): Promise<void> {
  const addrs = JSON.parse(await capture('ip', ['-j', '-4', 'addr', 'show'])) as IpAddr[];
  for (const link of addrs) {
    for (const info of link.addr_info ?? []) {
      if (inSubnet(subnet, info.local) && !ourLinks(link.ifname)) {
        throw new Error(
          `sim subnet ${subnetCidr(subnet)} is in use: ${info.local} is on interface ${link.ifname}; ` +
            'set RD_SIM_NET (or the subnet option) to a free range',
        );
      }
    }
  }
  const routes = JSON.parse(await capture('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as IpRoute[];
  for (const route of routes) {
    const ours = route.type === 'unreachable' || (route.dev !== undefined && ourLinks(route.dev));
    if (inSubnet(subnet, route.dst) && !ours) {
      throw new Error(
        `sim subnet ${subnetCidr(subnet)} is in use: a route to ${route.dst}${route.dev ? ` via ${route.dev}` : ''} exists; ` +
          'set RD_SIM_NET (or the subnet option) to a free range',
      );
    }
  }
}

// With a robot's link down its /24 route vanishes and, without this, packets for it would
// follow the default route off the machine; the unreachable /16 makes them fail locally instead.
export async function ensureSubnetGuard(subnet: string): Promise<void> {
  await run('ip', ['route', 'replace', 'unreachable', subnetCidr(subnet)]);
}

export async function removeSubnetGuard(subnet: string): Promise<void> {
  await run('ip', ['route', 'del', 'unreachable', subnetCidr(subnet)], { allowFail: true });
}
