// Argv builder for doctor.ts: everything about a robot's engine in one round trip.
import { type ImageStore, imageStoreOf } from './engine-info.ts';
import { LIST_EMULATORS, parseEmulators } from './robot-docker.ts';
import { ROBOT_LOCK_DIR } from './robot-lock-script.ts';
import { REGISTRY_BINDS, REGISTRY_CONTAINER, REGISTRY_IMAGE } from './robot-registry.ts';

// rd_docker and rd_sudo come from the access prelude every robot script starts with.
const HEALTH_SCRIPT = `image=$1 name=$2 lockdir=$3
${REGISTRY_BINDS}
docker version --format 'docker {{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}' || exit 10
echo "access\${rd_sudo:+ sudo} $rd_docker"
docker info --format 'store {{json .DriverStatus}}'
${LIST_EMULATORS}
docker image inspect "$image" >/dev/null 2>&1 && echo "registry-image yes" || echo "registry-image no"
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
echo "registry-state $state"
registry_binds "$name" | sed -n 's/^bind=/registry-bind /p; s/^network=/registry-network /p'
root=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null)
df -Pk "\${root:-/}" 2>/dev/null | awk 'NR==2 {print "disk-free-kb", $4}'
if [ -d "$lockdir" ] && [ ! -L "$lockdir" ]; then echo "lock-dir shared"
elif [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then echo "lock-dir makeable"; else echo "lock-dir own"; fi
exit 0`;

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
