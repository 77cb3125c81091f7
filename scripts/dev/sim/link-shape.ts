// Latency, jitter and loss for a simulated robot's link, on top of tc tbf's bandwidth.
// Latency and jitter: a user-space delay line (link-relay.ts) in front of the robot's sshd.
// Loss: iptables' statistic match drops packets on arrival at each end, so TCP really retransmits.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { capture, run } from './exec.ts';
import { type RobotLayout, SSH_PORT } from './names.ts';
import { spawnDetached } from './processes.ts';

export interface LinkShape {
  /** Round-trip time the relay adds, in ms. */
  rttMs?: number;
  /** Each direction's delay varies by up to ± this, in ms, without reordering. */
  jitterMs?: number;
  /** Packets dropped on arrival, in each direction, in percent. */
  lossPercent?: number;
}

const LOSS_TAG = 'robot-deploy-sim-loss';
const RELAY = fileURLToPath(new URL('./link-relay.ts', import.meta.url));

export function validateLinkShape(shape: LinkShape): void {
  const { rttMs = 0, jitterMs = 0, lossPercent = 0 } = shape;
  if (!(rttMs >= 0 && rttMs <= 2000)) throw new Error(`invalid rtt ${rttMs}: give milliseconds from 0 to 2000`);
  if (!(jitterMs >= 0 && jitterMs <= rttMs / 2))
    throw new Error(`invalid jitter ${jitterMs}: give milliseconds from 0 to half the rtt (${rttMs / 2})`);
  if (!(lossPercent >= 0 && lossPercent <= 50)) throw new Error(`invalid loss ${lossPercent}: give a percentage from 0 to 50`);
}

/** sshd must leave the robot's address to the relay when the link has latency. */
export const needsRelay = (shape: LinkShape | undefined): boolean => (shape?.rttMs ?? 0) > 0;

function lossRule(ifname: string, percent: number): string[] {
  return [
    'INPUT',
    '-i',
    ifname,
    '-m',
    'statistic',
    '--mode',
    'random',
    '--probability',
    String(percent / 100),
    '-m',
    'comment',
    '--comment',
    LOSS_TAG,
    '-j',
    'DROP',
  ];
}

export async function addLinkLoss(robot: RobotLayout, percent: number): Promise<void> {
  await run('nsenter', [`--net=/var/run/netns/${robot.netns}`, 'iptables', '-w', '-A', ...lossRule(robot.robotVeth, percent)]);
  await run('iptables', ['-w', '-A', ...lossRule(robot.hostVeth, percent)]);
}

/** The robot's rules go with its namespace; the laptop's are found by tag and interface. */
export async function removeLinkLoss(isOurs: (ifname: string) => boolean): Promise<void> {
  const rules = (await capture('iptables', ['-w', '-S', 'INPUT']).catch(() => '')).split('\n');
  for (const rule of rules.filter((line) => line.includes(LOSS_TAG))) {
    const words = rule.split(' ');
    const ifname = words[words.indexOf('-i') + 1];
    if (ifname && isOurs(ifname)) await run('iptables', ['-w', '-D', ...words.slice(1)], { allowFail: true });
  }
}

export function startRelay(robot: RobotLayout, shape: LinkShape, logFile: string): number {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const args = [RELAY, robot.address, String(SSH_PORT), String(SSH_PORT), String(shape.rttMs ?? 0), String(shape.jitterMs ?? 0)];
  return spawnDetached('nsenter', [`--net=/var/run/netns/${robot.netns}`, process.execPath, '--import', tsx, ...args], logFile).pid;
}
