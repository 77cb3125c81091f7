// What the robots and the laptop hold, read from the host without SSH, so the checks share no
// path with the deploys they check; and the wipe that makes a robot "without the image" again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINGERPRINT_FORMAT } from '../../lib/commands/image-identity.ts';
import type { SimRobot } from '../sim/harness.ts';
import { robotFiles } from '../sim/state.ts';
import { BENCH_SCOPE } from './bench-project.ts';
import { runArgv } from './child-processes.ts';

/** Registry containers (and their volumes of the same name): robot-deploy's and the OpenSSH flow's. */
export const REGISTRY_NAMES = ['robot-deploy-registry', 'bench-registry'] as const;
const REGISTRY_IMAGE = 'registry:2';

async function docker(robot: SimRobot | undefined, args: string[], allowFail = false) {
  return runArgv(['docker', ...args], { env: robot ? robot.dockerEnv() : process.env, allowFail, timeoutMs: 120_000 });
}

export async function imageIdOn(robot: SimRobot | undefined, ref: string): Promise<string | undefined> {
  const found = await docker(robot, ['image', 'inspect', '--format', '{{.Id}}', ref], true);
  return found.code === 0 ? found.stdout.trim() : undefined;
}

/** The uncompressed layer digests (diff IDs) of a laptop image, bottom first. */
export async function laptopLayers(ref: string): Promise<string[]> {
  const found = await docker(undefined, ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
  return JSON.parse(found.stdout) as string[];
}

/** Bytes the laptop side put on a robot's link (host veth TX): headers, SSH and all. */
export function bytesToRobot(robot: SimRobot): number {
  return Number(readFileSync(`/sys/class/net/${robot.hostVeth}/statistics/tx_bytes`, 'utf8').trim());
}

/** Removes both registries with their storage and every image but registry:2 from the robot's engine. */
export async function wipeRobot(robot: SimRobot): Promise<void> {
  await docker(robot, ['container', 'rm', '--force', '--volumes', ...REGISTRY_NAMES], true);
  await docker(robot, ['volume', 'rm', '--force', ...REGISTRY_NAMES], true);
  const keep = await imageIdOn(robot, REGISTRY_IMAGE);
  const all = (await docker(robot, ['image', 'ls', '--all', '--quiet', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  const doomed = [...new Set(all)].filter((id) => id !== keep);
  if (doomed.length) await docker(robot, ['image', 'rm', '--force', ...doomed], true);
}

/** Layer-store directory names are chain IDs: sha256 over the parent's chain ID, a space, the diff ID. */
export function chainIds(diffIds: readonly string[]): string[] {
  const chains: string[] = [];
  for (const diffId of diffIds) {
    const parent = chains[chains.length - 1];
    chains.push(parent ? `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}` : diffId);
  }
  return chains;
}

/** Whether the engine's layer store has the base layer, whatever image (if any) still uses it. */
export async function baseLayerStored(robot: SimRobot, layers: readonly string[]): Promise<boolean> {
  const driver = (await docker(robot, ['info', '--format', '{{.Driver}}'])).stdout.trim();
  const chain = chainIds(layers)[layers.length - 2]!.replace(/^sha256:/, '');
  return existsSync(join(robotFiles({ ...BENCH_SCOPE }, robot.name).data, 'image', driver, 'layerdb', 'sha256', chain));
}

/** Proof that a "first deploy" starts from nothing: no registry storage, no image or stored layer with the base. */
export async function assertRobotLacksBase(robot: SimRobot, layers: readonly string[]): Promise<void> {
  const baseDiff = layers[layers.length - 2]!;
  const data = robotFiles({ ...BENCH_SCOPE }, robot.name).data;
  for (const name of REGISTRY_NAMES) {
    if (existsSync(join(data, 'volumes', name))) throw new Error(`${robot.name}: registry storage ${name} still exists after the wipe`);
  }
  const ids = (await docker(robot, ['image', 'ls', '--all', '--quiet', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  if (ids.length) {
    const rootfs = await docker(robot, ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ...new Set(ids)]);
    if (rootfs.stdout.includes(baseDiff)) throw new Error(`${robot.name}: an image on the robot still holds the base layer ${baseDiff}`);
  }
  if (await baseLayerStored(robot, layers)) throw new Error(`${robot.name}: the engine's layer store still has the base layer`);
}

/** What the image is, on either image store: a classic and a containerd store give the same image different IDs. */
export async function contentOn(robot: SimRobot | undefined, ref: string): Promise<string | undefined> {
  const found = await docker(robot, ['image', 'inspect', '--format', FINGERPRINT_FORMAT, ref], true);
  return found.code === 0 ? found.stdout.trim() : undefined;
}

export async function assertRobotHolds(robot: SimRobot, ref: string, content: string): Promise<void> {
  const found = await contentOn(robot, ref);
  if (found !== content) throw new Error(`${robot.name}: ${ref} is ${found ?? 'absent'}, expected the laptop's ${content}`);
}
