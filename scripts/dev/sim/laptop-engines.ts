// The laptop engines a fleet can come with. docker20 and docker26 share the host's network (a native
// Linux engine). desktop and colima run Debian 13's dockerd in a network and mount namespace of its own,
// as Docker Desktop (macOS, Windows, Linux), colima and Rancher Desktop run theirs in a VM.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEBIAN13_BIN, ENGINE_FLAVOURS, type EngineFlavour } from './engine-flavours.ts';

export type VmLaptopKind = 'desktop' | 'colima';
export type LaptopEngine = EngineFlavour | VmLaptopKind;
export const VM_LAPTOP_KINDS: readonly VmLaptopKind[] = ['desktop', 'colima'];
export const LAPTOP_ENGINES: readonly LaptopEngine[] = [...ENGINE_FLAVOURS, ...VM_LAPTOP_KINDS];

export function parseLaptopEngine(value: string): LaptopEngine {
  if ((LAPTOP_ENGINES as readonly string[]).includes(value)) return value as LaptopEngine;
  throw new Error(`unknown laptop engine "${value}": use ${LAPTOP_ENGINES.join(', ')}`);
}

export const isVmLaptop = (engine: LaptopEngine | undefined): engine is VmLaptopKind =>
  (VM_LAPTOP_KINDS as readonly string[]).includes(engine ?? '');

/** What makes a VM-like engine look like the product it stands in for. */
export interface VmProfile {
  /** `docker info` Name: the VM's hostname. */
  hostname: string;
  /** PRETTY_NAME of the VM's os-release: `docker info` OperatingSystem. */
  operatingSystem: string;
  /** Docker Desktop's default since 4.34; colima keeps the classic overlay2 store. */
  containerdStore: boolean;
  /** Names the VM's DNS answers with the host's address (everything else: NXDOMAIN, as offline). */
  hostNames: string[];
  /**
   * Desktop exposes a published port on the host before `docker run` returns, and fails the run when the
   * host's port is taken; lima's (colima's) forwarder follows the container asynchronously and only logs.
   */
  exposeBeforeStart: boolean;
}

export const VM_PROFILES: Record<VmLaptopKind, VmProfile> = {
  desktop: {
    hostname: 'docker-desktop',
    operatingSystem: 'Docker Desktop',
    containerdStore: true,
    hostNames: ['host.docker.internal', 'gateway.docker.internal'],
    exposeBeforeStart: true,
  },
  colima: {
    hostname: 'colima',
    operatingSystem: 'Ubuntu 24.04 LTS',
    containerdStore: false,
    hostNames: ['host.docker.internal', 'host.lima.internal'],
    exposeBeforeStart: false,
  },
};

export function osRelease(kind: VmLaptopKind): string {
  const name = VM_PROFILES[kind].operatingSystem;
  return kind === 'desktop'
    ? `PRETTY_NAME="${name}"\nNAME="${name}"\nID=docker-desktop\n`
    : `PRETTY_NAME="${name}"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04 LTS (Noble Numbat)"\nID=ubuntu\nID_LIKE=debian\n`;
}

/** What `brew install docker colima` gives: a current static CLI without the buildx plugin (legacy builder). */
export const STATIC_CLI_DIR = '/usr/local/bin';

/**
 * The directory whose `docker` the laptop's user runs, first on PATH. Desktop: Debian 13's CLI 26.1, with
 * its buildx plugin in DOCKER_CONFIG. colima: the static CLI where this machine has one, else Debian 13's
 * CLI without plugins, which builds the same way (legacy builder).
 */
export function vmCliDir(kind: VmLaptopKind): string {
  return kind === 'colima' && existsSync(join(STATIC_CLI_DIR, 'docker')) ? STATIC_CLI_DIR : DEBIAN13_BIN;
}
