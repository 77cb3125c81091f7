// SimFleet and SimRobot: the handles a caller gets for a running fleet, rebuilt from its record.
import { readFileSync } from 'node:fs';
import { type DockerAccessKind, type EngineFlavour, enginePath, robotDockerCli } from './engine-flavours.ts';
import { waitUntil } from './exec.ts';
import { SIM_PASSWORD_FILE } from './identity.ts';
import { laptop26Env } from './laptop-docker26.ts';
import { isVmLaptop, type LaptopEngine, type VmLaptopKind } from './laptop-engines.ts';
import { type VmLaptopPids, vmLaptopPids } from './laptop-vm.ts';
import { vmLaptopEnv, vmLaptopFiles } from './laptop-vm-files.ts';
import type { LinkShape } from './link-shape.ts';
import { hostPlatform, SIM_USER } from './names.ts';
import { setLink, shapeRate } from './network.ts';
import { readPidFile } from './processes.ts';
import { writeRobotsEnvFile } from './robots-env.ts';
import { type FleetRecord, type FleetScope, fleetFiles, readFleetRecord, resolveScope, robotFiles, stateFiles } from './state.ts';
import { downSimFleet, type SimScopeOptions } from './teardown.ts';
import { DEMO_IMAGE, DEMO_WORKSPACE, ensureDemoWorkspace } from './workspace.ts';

export const REGISTRY_PORT = 5000;

export interface SimRobot {
  name: string;
  address: string;
  hostAddress: string;
  netns: string;
  hostVeth: string;
  /** unix:///…/docker.sock of the robot's own engine, usable from the host. */
  dockerHost: string;
  sshPort: 22;
  /** Private host key of the robot's sshd; the public half is `${hostKeyPath}.pub`. */
  hostKeyPath: string;
  hasRegistry: boolean;
  passwordLogin: boolean;
  engine: EngineFlavour;
  access: DockerAccessKind;
  /** Path of the robot's own docker CLI (for <NAME>_DOCKER when it is off PATH). */
  dockerCli: string;
  rate?: string;
  link?: LinkShape;
  /** The robot's dockerd, e.g. to freeze it (SIGSTOP) as a hung engine. */
  dockerdPid(): number | undefined;
  /** Changes the link's tc rate while it runs (the record keeps the rate it was started with). */
  setRate(rate: string): Promise<void>;
  cutLink(): Promise<void>;
  restoreLink(): Promise<void>;
  dockerEnv(): NodeJS.ProcessEnv;
}

export interface SimFleet {
  robots: SimRobot[];
  user: 'rdsim';
  /** Client private key (ed25519, no passphrase) authorized on every non-password robot. */
  keyPath: string;
  password: string;
  stateDir: string;
  prefix: string;
  subnet: string;
  /** known_hosts lines for every robot's host key. */
  knownHostsPath: string;
  /** The demo build context (a copy of the committed demo workspace). */
  workspaceDir: string;
  laptopEngine: LaptopEngine;
  /** Environment additions that point docker (and a deploy) at the fleet's laptop engine; empty for docker20. */
  laptopEnv: NodeJS.ProcessEnv;
  /** The VM-like laptop engine (desktop or colima), when the fleet has one. */
  laptopVm?: SimLaptopVm;
  robot(name: string): SimRobot;
  writeRobotsEnv(file: string, extra?: Record<string, string>): Promise<void>;
  down(): Promise<void>;
}

export interface SimLaptopVm {
  kind: VmLaptopKind;
  /** The VM's network namespace: its own loopback. */
  netns: string;
  /** What host.docker.internal resolves to in the VM: TCP to it reaches the host's 127.0.0.1. */
  hostAddress: string;
  /** The VM's dockerd socket, as DOCKER_HOST gives it. */
  dockerHost: string;
  /** The VM's dockerd and the two agents, while they run. */
  pids(): VmLaptopPids;
}

function makeLaptopVm(scope: FleetScope, kind: VmLaptopKind): SimLaptopVm {
  const files = vmLaptopFiles(scope);
  return {
    kind,
    netns: files.layout.netns,
    hostAddress: files.layout.hostAddress,
    dockerHost: `unix://${files.sock}`,
    pids: () => vmLaptopPids(scope),
  };
}

function laptopEnvOf(scope: FleetScope, engine: LaptopEngine): NodeJS.ProcessEnv {
  if (engine === 'docker26') return laptop26Env(scope);
  return isVmLaptop(engine) ? vmLaptopEnv(scope, engine) : {};
}

function makeRobot(entry: FleetRecord['robots'][number], scope: FleetScope): SimRobot {
  const files = robotFiles(scope, entry.name);
  const dockerHost = `unix://${files.dockerSock}`;
  return {
    name: entry.name,
    address: entry.address,
    hostAddress: entry.hostAddress,
    netns: entry.netns,
    hostVeth: entry.hostVeth,
    dockerHost,
    sshPort: 22,
    hostKeyPath: files.hostKey,
    hasRegistry: entry.registry,
    passwordLogin: entry.passwordLogin,
    engine: entry.engine ?? 'docker20',
    access: entry.access ?? 'group',
    dockerCli: robotDockerCli(entry.engine ?? 'docker20'),
    ...(entry.rate ? { rate: entry.rate } : {}),
    ...(entry.link ? { link: entry.link } : {}),
    dockerdPid: () => readPidFile(files.dockerPid),
    setRate: (rate) => shapeRate(entry, rate),
    cutLink: () => setLink(entry.hostVeth, false),
    restoreLink: async () => {
      await setLink(entry.hostVeth, true);
      await waitUntil(() => readOperstate(entry.hostVeth) === 'up', 5_000, 20);
    },
    dockerEnv: () => ({
      ...process.env,
      DOCKER_HOST: dockerHost,
      PATH: `${enginePath(entry.engine ?? 'docker20')}:${process.env.PATH ?? ''}`,
    }),
  };
}

function readOperstate(ifname: string): string {
  try {
    return readFileSync(`/sys/class/net/${ifname}/operstate`, 'utf8').trim();
  } catch {
    return 'missing';
  }
}

export function makeFleet(scope: FleetScope, record: FleetRecord, password: string): SimFleet {
  const robots = record.robots.map((entry) => makeRobot(entry, scope));
  const files = stateFiles(scope.stateDir);
  const keyPath = files.clientKey;
  return {
    robots,
    user: SIM_USER,
    keyPath,
    password,
    stateDir: scope.stateDir,
    prefix: scope.prefix,
    subnet: scope.subnet,
    knownHostsPath: fleetFiles(scope).knownHosts,
    workspaceDir: files.workspace,
    laptopEngine: record.laptopEngine ?? 'docker20',
    laptopEnv: laptopEnvOf(scope, record.laptopEngine ?? 'docker20'),
    ...(isVmLaptop(record.laptopEngine) ? { laptopVm: makeLaptopVm(scope, record.laptopEngine) } : {}),
    robot(name) {
      const robot = robots.find((r) => r.name === name);
      if (!robot) throw new Error(`no simulated robot "${name}" (have ${robots.map((r) => r.name).join(', ')})`);
      return robot;
    },
    writeRobotsEnv: (file, extra) =>
      writeRobotsEnvFile(file, {
        image: DEMO_IMAGE,
        context: ensureDemoWorkspace(scope.stateDir),
        workspaces: [DEMO_WORKSPACE],
        platform: hostPlatform(),
        sshKey: keyPath,
        registryPort: REGISTRY_PORT,
        robots,
        ...(extra ? { extra } : {}),
      }),
    down: () => downSimFleet(scope),
  };
}

/** The fleet recorded in the state dir by an earlier `up` (e.g. another process), if any. */
export function loadSimFleet(opts: SimScopeOptions = {}): SimFleet | undefined {
  const scope = resolveScope(opts);
  const record = readFleetRecord(scope);
  if (!record) return undefined;
  let password = '';
  try {
    password = readFileSync(SIM_PASSWORD_FILE, 'utf8').trim();
  } catch {
    // no password yet: the fleet never finished starting
  }
  return makeFleet({ ...scope, subnet: record.subnet }, record, password);
}
