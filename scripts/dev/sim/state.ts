// Where the simulator keeps things on disk, and the record of a running fleet.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DockerAccessKind, EngineFlavour } from './engine-flavours.ts';
import type { LaptopEngine } from './laptop-engines.ts';
import type { LinkShape } from './link-shape.ts';
import type { RobotLayout } from './names.ts';

export const DEFAULT_PREFIX = 'rdsim';
export const DEFAULT_SUBNET = '10.77';
export const DEFAULT_STATE_DIR = '/var/tmp/robot-deploy-sim';
// sockaddr_un holds 108 bytes; containerd's ttrpc socket is the longest path we create under a robot dir.
const MAX_SOCKET_PATH = 107;

export interface FleetScope {
  prefix: string;
  subnet: string;
  stateDir: string;
}

export function resolveScope(opts: { prefix?: string; subnet?: string; stateDir?: string }): FleetScope {
  return {
    prefix: opts.prefix ?? process.env.RD_SIM_PREFIX ?? DEFAULT_PREFIX,
    subnet: opts.subnet ?? process.env.RD_SIM_NET ?? DEFAULT_SUBNET,
    stateDir: resolve(opts.stateDir ?? process.env.RD_SIM_DIR ?? DEFAULT_STATE_DIR),
  };
}

/** Files kept across up/down: keys, cached images, logs, the demo workspace. */
export function stateFiles(stateDir: string) {
  return {
    clientKey: join(stateDir, 'client_ed25519'),
    hostKeys: join(stateDir, 'hostkeys'),
    images: join(stateDir, 'images'),
    logs: join(stateDir, 'logs'),
    workspace: join(stateDir, 'workspace'),
    robotsEnv: join(stateDir, 'robots.env'),
    laptopPid: join(stateDir, 'laptop-dockerd.pid'),
    laptopLog: join(stateDir, 'logs', 'laptop-dockerd.log'),
    robots: join(stateDir, 'robots'),
  };
}

export function fleetFiles(scope: FleetScope) {
  return {
    sudoers: `/etc/sudoers.d/robot-deploy-sim-${scope.prefix}`,
    record: join(scope.stateDir, `${scope.prefix}.fleet.json`),
    knownHosts: join(scope.stateDir, `${scope.prefix}.known_hosts`),
  };
}

/** Per-robot paths; `dir` is runtime only and is deleted by down. */
export function robotFiles(scope: FleetScope, name: string) {
  const id = `${scope.prefix}-${name}`;
  const dir = join(stateFiles(scope.stateDir).robots, id);
  const logs = stateFiles(scope.stateDir).logs;
  return {
    id,
    dir,
    data: join(dir, 'data'),
    exec: join(dir, 'exec'),
    containerdRun: join(dir, 'run-containerd'),
    dockerSock: join(dir, 'docker.sock'),
    dockerPid: join(dir, 'docker.pid'),
    daemonJson: join(dir, 'daemon.json'),
    sshdConfig: join(dir, 'sshd_config'),
    sshdPid: join(dir, 'sshd.pid'),
    home: join(dir, 'home'),
    tmp: join(dir, 'tmp'),
    lockDir: join(dir, 'lock'),
    hostKey: join(stateFiles(scope.stateDir).hostKeys, `${id}_ed25519`),
    dockerLog: join(logs, `${id}.dockerd.log`),
    sshdLog: join(logs, `${id}.sshd.log`),
    relayLog: join(logs, `${id}.relay.log`),
  };
}

export function checkSocketPathLength(scope: FleetScope, name: string): void {
  const longest = join(robotFiles(scope, name).exec, 'containerd', 'containerd.sock.ttrpc');
  if (longest.length > MAX_SOCKET_PATH) {
    throw new Error(`state dir ${scope.stateDir} is too long: ${longest} exceeds the ${MAX_SOCKET_PATH}-byte unix socket limit`);
  }
}

export function ensureDir(dir: string, mode = 0o755): void {
  mkdirSync(dir, { recursive: true, mode });
}

export interface FleetRecord {
  prefix: string;
  subnet: string;
  stateDir: string;
  /** Older records have neither engine: both mean docker20. */
  laptopEngine?: LaptopEngine;
  robots: (RobotLayout & {
    rate?: string;
    link?: LinkShape;
    engine?: EngineFlavour;
    access?: DockerAccessKind;
    registry: boolean;
    passwordLogin: boolean;
  })[];
}

export function writeFleetRecord(scope: FleetScope, record: FleetRecord): void {
  const file = fleetFiles(scope).record;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function readFleetRecord(scope: FleetScope): FleetRecord | undefined {
  try {
    return JSON.parse(readFileSync(fleetFiles(scope).record, 'utf8')) as FleetRecord;
  } catch {
    return undefined;
  }
}

export function removeFleetRecord(scope: FleetScope): void {
  rmSync(fleetFiles(scope).record, { force: true });
}

/** Prefixes with a fleet record in the state dir (for `down --all`). */
export function recordedPrefixes(stateDir: string): string[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((f) => f.endsWith('.fleet.json'))
    .map((f) => f.slice(0, -'.fleet.json'.length));
}

/** Robot names with a runtime dir for this prefix, even when the record is missing. */
export function robotDirNames(scope: FleetScope): string[] {
  const dir = stateFiles(scope.stateDir).robots;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => entry.startsWith(`${scope.prefix}-`))
    .map((entry) => entry.slice(scope.prefix.length + 1));
}
