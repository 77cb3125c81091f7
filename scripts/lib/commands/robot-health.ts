// Argv builder for doctor.ts: everything about a robot's engine in one round trip.
import { type ImageStore, imageStoreOf } from './engine-info.ts';
import { parseEmulators } from './robot-docker.ts';
import { ROBOT_LOCK_DIR } from './robot-lock-script.ts';
import { REGISTRY_CONTAINER, REGISTRY_IMAGE } from './robot-registry.ts';
import { robotScript } from './robot-sh.ts';

const HEALTH_SCRIPT = robotScript('registry-binds.sh', 'list-emulators.sh', 'health.sh');

/** Exit code of robot-sh/health.sh when docker does not answer. */
export const DOCKER_UNUSABLE = 10;

export function robotHealth(): string[] {
  return ['sh', '-c', HEALTH_SCRIPT, 'health', REGISTRY_IMAGE, REGISTRY_CONTAINER, ROBOT_LOCK_DIR];
}

export interface RobotHealth {
  docker?: { version: string; platform: string };
  /** The docker CLI the robot's scripts use, and whether through `sudo -n`. */
  access?: { cli: string; sudo: boolean };
  store: ImageStore;
  emulates: string[];
  registryImage: boolean;
  registryState: string;
  registryBinds: string[];
  /** Published with -p (an older robot-deploy), not on the host network. */
  registryPublished: boolean;
  diskFreeBytes?: number;
  /** The robot's lock directory: there, made on the first deploy, or missing (each account then locks in its own home). */
  lockDir: 'shared' | 'makeable' | 'own';
}

export function parseRobotHealth(stdout: string): RobotHealth {
  const docker = /^docker (\S+) (\S+)$/m.exec(stdout);
  const free = /^disk-free-kb (\d+)$/m.exec(stdout);
  const access = /^access (sudo )?(\S+)$/m.exec(stdout);
  return {
    ...(docker ? { docker: { version: docker[1], platform: docker[2] } } : {}),
    ...(access ? { access: { cli: access[2], sudo: Boolean(access[1]) } } : {}),
    store: imageStoreOf(/^store (.*)$/m.exec(stdout)?.[1] ?? ''),
    emulates: parseEmulators(stdout),
    registryImage: /^registry-image yes$/m.test(stdout),
    registryState: /^registry-state (\S+)$/m.exec(stdout)?.[1] ?? 'unknown',
    registryBinds: [...stdout.matchAll(/^registry-bind (\S+)$/gm)].map((m) => m[1]),
    registryPublished: /^registry-network published$/m.test(stdout),
    ...(free ? { diskFreeBytes: Number(free[1]) * 1024 } : {}),
    lockDir: (/^lock-dir (shared|makeable|own)$/m.exec(stdout)?.[1] ?? 'own') as RobotHealth['lockDir'],
  };
}
