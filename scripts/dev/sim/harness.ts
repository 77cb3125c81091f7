// Programmatic API of the simulated robot fleet, used by scripts/dev/sim-robot.ts, e2e tests and benchmarks.
import { chmodSync, writeFileSync } from 'node:fs';
import { assertFlavourInstalled, cliPluginsDir, type DockerAccessKind, type EngineFlavour, sudoersForDocker } from './engine-flavours.ts';
import { toolEnv } from './exec.ts';
import { makeFleet, type SimFleet } from './fleet.ts';
import { ensureKeyPair, ensureSimUser, hostKeyLine, publicKey, type SimUser } from './identity.ts';
import { ensureLaptopImages, importBaseImages, loadImage } from './images.ts';
import { ensureLaptopDocker } from './laptop-docker.ts';
import { laptop26Env, startLaptopDocker26 } from './laptop-docker26.ts';
import { isVmLaptop, type LaptopEngine } from './laptop-engines.ts';
import { startVmLaptop } from './laptop-vm.ts';
import { vmLaptopEnv } from './laptop-vm-files.ts';
import { addLinkLoss, type LinkShape, needsRelay, startRelay, validateLinkShape } from './link-shape.ts';
import { defaultRobotNames, isOurVeth, type RobotLayout, robotLayouts, SIM_USER, validateRate } from './names.ts';
import { assertSubnetFree, createRobotNetwork, ensureSubnetGuard } from './network.ts';
import { startRobotDockerd, waitForRobotDockerd } from './robot-dockerd.ts';
import { prepareRobotHome, startRobotSshd, waitForSsh } from './robot-sshd.ts';
import {
  checkSocketPathLength,
  ensureDir,
  type FleetRecord,
  type FleetScope,
  fleetFiles,
  resolveScope,
  robotFiles,
  stateFiles,
  writeFleetRecord,
} from './state.ts';
import { downSimFleet, type SimScopeOptions, writeSudoers } from './teardown.ts';
import { ensureDemoWorkspace } from './workspace.ts';

export type { EngineFlavour } from './engine-flavours.ts';
export { loadSimFleet, REGISTRY_PORT, type SimFleet, type SimLaptopVm, type SimRobot } from './fleet.ts';
export { ARM64_BUSYBOX_IMAGE, BUSYBOX_IMAGE, importArm64Base, REGISTRY_IMAGE } from './images.ts';
export { ensureLaptopDocker, stopLaptopDockerIfOurs } from './laptop-docker.ts';
export type { LaptopEngine, VmLaptopKind } from './laptop-engines.ts';
export type { LinkShape } from './link-shape.ts';
export { type FleetStatus, fleetStatus, type RobotStatus } from './status.ts';
export { downSimFleet, type SimScopeOptions } from './teardown.ts';
export {
  DEMO_IMAGE,
  DEMO_WORKSPACE,
  type GeneratedWorkspace,
  makeWorkspace,
  type WorkspaceOptions,
} from './workspace.ts';

export interface SimOptions extends SimScopeOptions {
  /** Number of robots when `names` is not given (default 2). */
  count?: number;
  /** Robot names; default sim1..simN. */
  names?: string[];
  /** tc rate (e.g. '100mbit') shaping both ends of every robot link. */
  rate?: string;
  /** Per-robot rates, overriding `rate`. */
  rates?: Record<string, string>;
  /** Latency, jitter and loss on every robot link. */
  link?: LinkShape;
  /** Per-robot link shapes, overriding `link`. */
  links?: Record<string, LinkShape>;
  /** Robots whose engine has no registry:2 image. */
  withoutRegistry?: string[];
  /** Robots with PasswordAuthentication yes and an empty authorized_keys. */
  passwordLogin?: string[];
  /** Engine of every robot (default docker20). */
  engine?: EngineFlavour;
  /** Per-robot engines, overriding `engine`. */
  engines?: Record<string, EngineFlavour>;
  /**
   * docker26 also starts a Debian 13 laptop engine on the host's network; desktop and colima one in a
   * network namespace of its own, as in a VM. fleet.laptopEnv points commands at it.
   */
  laptopEngine?: LaptopEngine;
  /** Robots whose SSH user reaches docker only through `sudo -n`, or finds no docker CLI on PATH (default group). */
  dockerAccess?: Record<string, DockerAccessKind>;
}

export class SimHostError extends Error {}

/** The simulator needs Linux network namespaces and root. */
export function assertSimHost(): void {
  if (process.platform !== 'linux') throw new SimHostError(`simulated robots need Linux (this is ${process.platform})`);
  if (process.getuid?.() !== 0) throw new SimHostError('simulated robots need root (network namespaces, veth, dockerd, sshd)');
}

function checkNames(kind: string, names: string[] | undefined, layouts: RobotLayout[]): Set<string> {
  const known = new Set(layouts.map((l) => l.name));
  for (const name of names ?? []) if (!known.has(name)) throw new Error(`${kind} names unknown robot "${name}"`);
  return new Set(names ?? []);
}

function planFleet(opts: SimOptions, scope: FleetScope): FleetRecord {
  const layouts = robotLayouts(scope.prefix, scope.subnet, opts.names ?? defaultRobotNames(opts.count ?? 2));
  for (const layout of layouts) checkSocketPathLength(scope, layout.name);
  const noRegistry = checkNames('withoutRegistry', opts.withoutRegistry, layouts);
  const password = checkNames('passwordLogin', opts.passwordLogin, layouts);
  checkNames('rates', Object.keys(opts.rates ?? {}), layouts);
  checkNames('links', Object.keys(opts.links ?? {}), layouts);
  checkNames('engines', Object.keys(opts.engines ?? {}), layouts);
  checkNames('dockerAccess', Object.keys(opts.dockerAccess ?? {}), layouts);
  const robots = layouts.map((layout) => {
    const rate = opts.rates?.[layout.name] ?? opts.rate;
    if (rate) validateRate(rate);
    const link = opts.links?.[layout.name] ?? opts.link;
    if (link) validateLinkShape(link);
    const engine = opts.engines?.[layout.name] ?? opts.engine ?? 'docker20';
    assertFlavourInstalled(engine);
    return {
      ...layout,
      ...(rate ? { rate } : {}),
      ...(link ? { link } : {}),
      engine,
      access: opts.dockerAccess?.[layout.name] ?? 'group',
      registry: !noRegistry.has(layout.name),
      passwordLogin: password.has(layout.name),
    };
  });
  // Every laptop engine but the host's runs Debian 13's dockerd.
  if (opts.laptopEngine && opts.laptopEngine !== 'docker20') assertFlavourInstalled('docker26');
  return {
    prefix: scope.prefix,
    subnet: scope.subnet,
    stateDir: scope.stateDir,
    laptopEngine: opts.laptopEngine ?? 'docker20',
    robots,
  };
}

/** A laptop engine besides the host's, with the base images a deploy needs (as the host's has them). */
async function startLaptopEngine(scope: FleetScope, engine: LaptopEngine): Promise<void> {
  if (engine === 'docker26') {
    await startLaptopDocker26(scope);
    await importBaseImages(scope.stateDir, toolEnv(laptop26Env(scope)));
  } else if (isVmLaptop(engine)) {
    await startVmLaptop(scope, engine);
    await importBaseImages(scope.stateDir, toolEnv(vmLaptopEnv(scope, engine)));
  }
}

async function startRobot(
  scope: FleetScope,
  robot: FleetRecord['robots'][number],
  identity: Promise<{ user: SimUser; clientKey: string }>,
  images: Promise<{ registryTar: string }>,
): Promise<void> {
  const files = robotFiles(scope, robot.name);
  for (const log of [files.dockerLog, files.sshdLog, files.relayLog]) writeFileSync(log, '');
  await createRobotNetwork(robot, robot.rate);
  if (robot.link?.lossPercent) await addLinkLoss(robot, robot.link.lossPercent);
  // dockerd --group fails outright unless the rdsim group already exists.
  const { user, clientKey } = await identity;
  // A sudo robot's docker.sock belongs to root alone, as on a robot whose user is not in the docker group.
  const daemon = startRobotDockerd(robot, files, robot.access === 'sudo' ? 'root' : SIM_USER, robot.engine ?? 'docker20');
  await ensureKeyPair(files.hostKey, `${files.id} host key`);
  prepareRobotHome(
    files,
    user,
    robot.passwordLogin ? '' : `${publicKey(clientKey)}\n`,
    robot.access === 'off-path' ? undefined : cliPluginsDir(robot.engine ?? 'docker20'),
  );
  await startRobotSshd(robot, files, user, {
    passwordLogin: robot.passwordLogin,
    engine: robot.engine ?? 'docker20',
    listen: needsRelay(robot.link) ? '127.0.0.1' : robot.address,
    access: robot.access ?? 'group',
  });
  if (needsRelay(robot.link)) startRelay(robot, robot.link!, files.relayLog);
  await waitForRobotDockerd(daemon, files);
  if (robot.registry) await loadImage({ ...process.env, DOCKER_HOST: `unix://${files.dockerSock}` }, (await images).registryTar);
  await waitForSsh(robot, files);
}

/**
 * Starts a fleet of simulated robots (tearing down any stale one of the same prefix and state
 * dir first). On failure everything started is stopped again and the error names the log to read.
 */
export async function upSimFleet(opts: SimOptions = {}): Promise<SimFleet> {
  assertSimHost();
  const scope = resolveScope(opts);
  const record = planFleet(opts, scope);
  await downSimFleet(scope);
  const files = stateFiles(scope.stateDir);
  for (const dir of [scope.stateDir, files.robots, files.logs, files.images]) {
    ensureDir(dir);
    // rdsim reaches each robot's docker.sock through these directories, whatever the umask was.
    chmodSync(dir, 0o755);
  }
  await assertSubnetFree(scope.subnet, (ifname) => isOurVeth(scope.prefix, ifname));
  writeFleetRecord(scope, record);
  try {
    await ensureSubnetGuard(scope.subnet);
    ensureDemoWorkspace(scope.stateDir);
    if (record.robots.some((robot) => robot.access === 'sudo')) writeSudoers(scope, sudoersForDocker(SIM_USER));
    const identity = (async () => {
      await ensureKeyPair(files.clientKey, `robot-deploy sim client (${scope.stateDir})`);
      return { user: await ensureSimUser(), clientKey: files.clientKey };
    })();
    const images = ensureLaptopDocker(scope.stateDir).then(() => ensureLaptopImages(scope.stateDir));
    const laptop = startLaptopEngine(scope, record.laptopEngine ?? 'docker20');
    // allSettled, not all: teardown must not start while another robot is still starting.
    const results = await Promise.allSettled([
      identity,
      images,
      laptop,
      ...record.robots.map((robot) => startRobot(scope, robot, identity, images)),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error([...new Set(failed.map((r) => (r.reason as Error).message))].join('\n'));
    const knownHosts = record.robots.map((robot) => hostKeyLine(robot.address, robotFiles(scope, robot.name).hostKey));
    writeFileSync(fleetFiles(scope).knownHosts, `${knownHosts.join('\n')}\n`);
    return makeFleet(scope, record, (await identity).user.password);
  } catch (err) {
    const messages = [(err as Error).message];
    await downSimFleet(scope).catch((downErr: Error) => messages.push(downErr.message));
    throw new Error(`sim up failed (state dir ${scope.stateDir}):\n${messages.join('\n')}`);
  }
}
