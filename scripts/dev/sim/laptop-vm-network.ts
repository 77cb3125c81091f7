// The laptop VM's network: a namespace of its own (its own loopback), one veth pair to the host, and
// host.docker.internal = the host's end of it, whose TCP is DNAT'ed to the host's 127.0.0.1 (route_localnet
// on that veth only). No default route and no NAT to the outside: builds and containers stay offline.
import { writeFileSync } from 'node:fs';
import { capture, run } from './exec.ts';
import type { VmLaptopLayout } from './names.ts';
import { deleteLink, deleteNetns } from './network.ts';

const DNAT_TAG = 'robot-deploy-sim-laptop-vm';

/** The rule, after its chain (PREROUTING). */
function dnatRule(layout: VmLaptopLayout): string[] {
  return [
    '-i',
    layout.hostVeth,
    '-d',
    `${layout.hostAddress}/32`,
    '-p',
    'tcp',
    '-m',
    'comment',
    '--comment',
    DNAT_TAG,
    '-j',
    'DNAT',
    '--to-destination',
    '127.0.0.1',
  ];
}

export async function createVmNetwork(layout: VmLaptopLayout): Promise<void> {
  const ns = ['-n', layout.netns];
  await run('ip', ['netns', 'add', layout.netns]);
  await run('ip', ['link', 'add', layout.hostVeth, 'type', 'veth', 'peer', 'name', layout.guestVeth, 'netns', layout.netns]);
  await run('ip', ['addr', 'add', `${layout.hostAddress}/24`, 'dev', layout.hostVeth]);
  await run('ip', ['link', 'set', layout.hostVeth, 'up']);
  await run('ip', [...ns, 'addr', 'add', `${layout.guestAddress}/24`, 'dev', layout.guestVeth]);
  await run('ip', [...ns, 'link', 'set', layout.guestVeth, 'up']);
  await run('ip', [...ns, 'link', 'set', 'lo', 'up']);
  // Packets for 127.0.0.1 arriving on a non-loopback interface are martians unless this is set; only here.
  writeFileSync(`/proc/sys/net/ipv4/conf/${layout.hostVeth}/route_localnet`, '1\n');
  // First in PREROUTING: ahead of the host dockerd's DOCKER chain, which would take its own published ports.
  await run('iptables', ['-w', '-t', 'nat', '-I', 'PREROUTING', '1', ...dnatRule(layout)]);
}

/** The DNAT rules of this layout's veth, however many an interrupted `up` left. */
export async function vmDnatRules(layout: VmLaptopLayout): Promise<string[][]> {
  const rules = (await capture('iptables', ['-w', '-t', 'nat', '-S', 'PREROUTING']).catch(() => '')).split('\n');
  return rules
    .filter((rule) => rule.includes(DNAT_TAG))
    .map((rule) => rule.split(' ').map((word) => word.replace(/^"(.*)"$/, '$1')))
    .filter((words) => words[words.indexOf('-i') + 1] === layout.hostVeth);
}

export async function removeVmNetwork(layout: VmLaptopLayout): Promise<void> {
  // `-S` prints "-A PREROUTING …": the same words after -D delete that rule.
  for (const words of await vmDnatRules(layout)) await run('iptables', ['-w', '-t', 'nat', '-D', ...words.slice(1)]);
  await deleteLink(layout.hostVeth);
  await deleteNetns(layout.netns);
}
