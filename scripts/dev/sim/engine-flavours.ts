// The engines a simulated robot or laptop runs. docker20: Debian 12's docker.io 20.10 from the host's
// packages (classic image store, no buildx). docker26: Debian 13's docker.io 26.1 with the containerd
// image store and buildx, from the root .ci/debian13-engine installs beside the host's Docker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type EngineFlavour = 'docker20' | 'docker26';
export const ENGINE_FLAVOURS: readonly EngineFlavour[] = ['docker20', 'docker26'];

export const DEBIAN13_ROOT = process.env.RD_SIM_DEBIAN13_ROOT ?? '/var/cache/robot-deploy-sim/debian13';
export const DEBIAN13_BIN = join(DEBIAN13_ROOT, 'robot-deploy-bin');
/** Debian's arm64 busybox, for a base image of that architecture without Docker Hub. */
export const ARM64_BUSYBOX = join(DEBIAN13_ROOT, 'opt', 'busybox', 'busybox-arm64');

export function parseEngineFlavour(value: string): EngineFlavour {
  if ((ENGINE_FLAVOURS as readonly string[]).includes(value)) return value as EngineFlavour;
  throw new Error(`unknown engine "${value}": use ${ENGINE_FLAVOURS.join(' or ')}`);
}

export function assertFlavourInstalled(flavour: EngineFlavour): void {
  if (flavour === 'docker26' && !existsSync(join(DEBIAN13_BIN, 'dockerd'))) {
    throw new Error(`the docker26 engine (Debian 13) is not installed in ${DEBIAN13_ROOT}: run \`bash .ci/install\` as root`);
  }
}

/** PATH for the flavour's daemons and for SSH sessions on its robots: its own docker CLI comes first. */
export function enginePath(flavour: EngineFlavour): string {
  // Debian 12's CLI is /usr/bin/docker; /usr/local/bin holds this machine's newer static CLI, which a robot would not have.
  return flavour === 'docker26' ? `${DEBIAN13_BIN}:/usr/sbin:/usr/bin:/sbin:/bin` : '/usr/sbin:/usr/bin:/sbin:/bin';
}

/** daemon.json settings that make the flavour what users run. */
export function engineFeatures(flavour: EngineFlavour): Record<string, unknown> {
  return flavour === 'docker26' ? { features: { 'containerd-snapshotter': true } } : {};
}

/** The flavour's CLI plugins (buildx, compose), for a DOCKER_CONFIG dir's cli-plugins link. */
export function cliPluginsDir(flavour: EngineFlavour): string | undefined {
  return flavour === 'docker26' ? join(DEBIAN13_BIN, 'cli-plugins') : undefined;
}

/**
 * How the robot's SSH user reaches docker: in the docker group (group); not in it, with passwordless
 * `sudo docker` (sudo); or with no docker CLI on the session's PATH, only the flavour's own CLI at
 * robotDockerCli() (off-path).
 */
export type DockerAccessKind = 'group' | 'sudo' | 'off-path';

/** The robot's docker CLI: Debian 12's /usr/bin/docker, or the Debian 13 root's. */
export function robotDockerCli(flavour: EngineFlavour): string {
  return flavour === 'docker26' ? join(DEBIAN13_BIN, 'docker') : '/usr/bin/docker';
}

/** sudoers lines that let the sim user run each flavour's docker CLI as root without a password. */
export function sudoersForDocker(user: string): string {
  return `${user} ALL=(root) NOPASSWD: ${robotDockerCli('docker20')}, ${robotDockerCli('docker26')}\n`;
}
