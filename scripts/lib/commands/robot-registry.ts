// Argv builders for the registry container on a robot. Values travel as positional
// parameters of a fixed script, so nothing a user typed is ever parsed by the robot's shell.
import { ROBOT_LOCK } from './robot-lock-script.ts';

export const REGISTRY_CONTAINER = 'robot-deploy-registry';
export const REGISTRY_VOLUME = 'robot-deploy-registry';
export const REGISTRY_IMAGE = 'registry:2';

/** Exit codes of ENSURE_SCRIPT beyond 0/1. */
export const ENSURE_NO_IMAGE = 3;
export const ENSURE_PORT_BUSY = 4;

/**
 * Shell function: where the registry container listens, as bind=HOST:PORT lines. robot-deploy's own
 * registry runs on the host network with REGISTRY_HTTP_ADDR=127.0.0.1:P; an older one published
 * with -p answers `docker container port` and prints network=published.
 */
export const REGISTRY_BINDS = `registry_binds() {
  docker container inspect --format '{{.HostConfig.NetworkMode}}{{range .Config.Env}} {{.}}{{end}}' "$1" 2>/dev/null | {
    read -r net env; [ -n "$net" ] || exit 0
    if [ "$net" = host ]; then
      for e in $env; do case $e in REGISTRY_HTTP_ADDR=*) echo "bind=\${e#REGISTRY_HTTP_ADDR=}" ;; esac; done
    else
      docker container port "$1" 5000/tcp | sed 's/^/bind=/'; echo network=published
    fi
  }
}`;

// Idempotent: running → nothing; stopped → start; absent → run. Two deploys starting it at once take
// turns on a lock of its own (the robot's lock is already held shared by the deploy). On a robot
// without flock, a teammate creating it at the same moment makes our \`docker run\` fail on the name,
// or finds the port already listening: then it is theirs to start, once dockerd shows it (it reserves
// the name before the container can be inspected or started, which reads as "No such container").
// The registry shares the robot's network and listens on its 127.0.0.1 only: no -p, because Docker
// before 28 lets hosts on the same LAN reach ports published on 127.0.0.1 (moby/moby#45610). One
// published with -p by an older robot-deploy is recreated that way, on its port, with its volume.
const ENSURE_SCRIPT = `name=$1 port=$2 image=$3 volume=$4
${ROBOT_LOCK}
robot_lock -x robot-deploy-registry
${REGISTRY_BINDS}
hexport() { printf '%04X' "$1"; }
listening() {
  hex=$(hexport "$1")
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    while read -r _ local _ st _; do case "$local $st" in *":$hex 0A") return 0 ;; esac; done < "$f"
  done
  return 1
}
await_listen() { i=0; while [ $i -lt 100 ]; do listening "$1" && return 0; sleep 0.1; i=$((i + 1)); done
  echo "the registry did not start listening on 127.0.0.1:$1; see 'docker logs $name' on the robot" >&2; exit 1; }
start_existing() {
  out=$(docker start "$name" 2>&1) || { echo "$out" >&2; exit 1; }
  bound=$(registry_binds "$name" | sed -n 's/^bind=127.0.0.1://p' | head -n 1)
  await_listen "\${bound:-$port}"
}
adopt() {
  i=0; until docker container inspect "$name" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 50 ] || { echo "$1" >&2; exit 1; }; sleep 0.1
  done
  start_existing; echo status=running
}
create() {
  if listening "$1"; then
    docker container inspect "$name" >/dev/null 2>&1 && { adopt ''; return; }
    echo status=port-busy; exit ${ENSURE_PORT_BUSY}
  fi
  if err=$(docker run -d --name "$name" --restart always --network host -v "$volume:/var/lib/registry" -e "REGISTRY_HTTP_ADDR=127.0.0.1:$1" -e REGISTRY_STORAGE_DELETE_ENABLED=true "$image" 2>&1 >/dev/null); then
    await_listen "$1"; echo "status=$2"
  else adopt "$err"
  fi
}
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
if [ "$state" != absent ] && registry_binds "$name" | grep -q '^network=published$'; then
  old=$(registry_binds "$name" | sed -n 's/^bind=127.0.0.1://p' | head -n 1)
  docker rm -f "$name" >/dev/null || exit 1
  state=absent port=\${old:-$port} fresh=recreated
fi
case $state in
  running) echo status=running ;;
  absent)
    docker image inspect "$image" >/dev/null 2>&1 || { echo status=no-image; exit ${ENSURE_NO_IMAGE}; }
    create "$port" "\${fresh:-created}" ;;
  *) start_existing; echo status=started ;;
esac
registry_binds "$name"`;

export function ensureRegistry(port: number): string[] {
  return ['sh', '-c', ENSURE_SCRIPT, 'ensure-registry', REGISTRY_CONTAINER, String(port), REGISTRY_IMAGE, REGISTRY_VOLUME];
}

export interface EnsureOutcome {
  /** ensure: running, started, created, recreated, no-image or port-busy; probe: docker's container state, or absent. */
  status: string;
  /** Robot-side port the registry is published on (may differ from the configured one if a teammate chose another). */
  port?: number;
  /** Set when the registry is published on something other than loopback. */
  exposed?: string;
  /** Published with -p by an older robot-deploy: the next registry step recreates it on the host network. */
  published?: boolean;
}

export function parseEnsureOutput(stdout: string): EnsureOutcome {
  const status = (/^status=(\S+)$/m.exec(stdout)?.[1] ?? 'unknown') as EnsureOutcome['status'];
  const binds = [...stdout.matchAll(/^bind=(.+):(\d+)$/gm)].map((m) => ({ host: m[1], port: Number(m[2]) }));
  const loopback = binds.find((b) => b.host === '127.0.0.1');
  const exposed = binds.find((b) => b.host !== '127.0.0.1' && b.host !== '[::1]');
  return {
    status,
    ...(loopback || binds[0] ? { port: (loopback ?? binds[0]).port } : {}),
    ...(exposed ? { exposed: `${exposed.host}:${exposed.port}` } : {}),
    ...(/^network=published$/m.test(stdout) ? { published: true } : {}),
  };
}

export const stopRegistry = (): string[] => ['docker', 'container', 'stop', REGISTRY_CONTAINER];

/** Receives `docker save` on stdin: the robot needs no internet to get registry:2. */
export const loadImage = (): string[] => ['docker', 'image', 'load'];

/**
 * Frees the blobs no remaining manifest uses. Not --delete-untagged: that would also drop the
 * rollback image's manifest (untagged in the registry since the next push moved the tag).
 */
export const garbageCollect = (): string[] => [
  'docker',
  'container',
  'exec',
  REGISTRY_CONTAINER,
  '/bin/registry',
  'garbage-collect',
  '/etc/docker/registry/config.yml',
];
