// Argv builders for the registry container on a robot. Values travel as positional
// parameters of a fixed script, so nothing a user typed is ever parsed by the robot's shell.

export const REGISTRY_CONTAINER = 'robot-deploy-registry';
export const REGISTRY_VOLUME = 'robot-deploy-registry';
export const REGISTRY_IMAGE = 'registry:2';

/** Exit codes of ENSURE_SCRIPT beyond 0/1. */
export const ENSURE_NO_IMAGE = 3;
export const ENSURE_PORT_BUSY = 4;

// Idempotent: running → nothing; stopped → start; absent → run. A teammate creating it at the same
// moment makes our `docker run` fail on the name, which is then just a start. Bound to 127.0.0.1 only.
const ENSURE_SCRIPT = `name=$1 port=$2 image=$3 volume=$4
busy() { case $1 in *"already allocated"*|*"address already in use"*) return 0;; esac; return 1; }
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
case $state in
  running) echo status=running ;;
  absent)
    docker image inspect "$image" >/dev/null 2>&1 || { echo status=no-image; exit ${ENSURE_NO_IMAGE}; }
    if out=$(docker run -d --name "$name" --restart always -p "127.0.0.1:$port:5000" -v "$volume:/var/lib/registry" -e REGISTRY_STORAGE_DELETE_ENABLED=true "$image" 2>&1); then
      echo status=created
    elif busy "$out"; then docker rm "$name" >/dev/null 2>&1; echo status=port-busy; exit ${ENSURE_PORT_BUSY}
    elif out=$(docker start "$name" 2>&1); then echo status=running
    else echo "$out" >&2; exit 1
    fi ;;
  *)
    if out=$(docker start "$name" 2>&1); then echo status=started
    elif busy "$out"; then echo status=port-busy; exit ${ENSURE_PORT_BUSY}
    else echo "$out" >&2; exit 1
    fi ;;
esac
docker container port "$name" 5000/tcp | sed 's/^/bind=/'`;

export function ensureRegistry(port: number): string[] {
  return ['sh', '-c', ENSURE_SCRIPT, 'ensure-registry', REGISTRY_CONTAINER, String(port), REGISTRY_IMAGE, REGISTRY_VOLUME];
}

export interface EnsureOutcome {
  /** ensure: running, started, created, no-image or port-busy; probe: docker's container state, or absent. */
  status: string;
  /** Robot-side port the registry is published on (may differ from the configured one if a teammate chose another). */
  port?: number;
  /** Set when the registry is published on something other than loopback. */
  exposed?: string;
}

export function parseEnsureOutput(stdout: string): EnsureOutcome {
  const status = (/^status=(\S+)$/m.exec(stdout)?.[1] ?? 'unknown') as EnsureOutcome['status'];
  const binds = [...stdout.matchAll(/^bind=(.+):(\d+)$/gm)].map((m) => ({ host: m[1], port: Number(m[2]) }));
  const loopback = binds.find((b) => b.host === '127.0.0.1');
  const exposed = binds.find((b) => b.host !== '127.0.0.1' && b.host !== '[::1]');
  return { status, ...(loopback || binds[0] ? { port: (loopback ?? binds[0]).port } : {}), ...(exposed ? { exposed: `${exposed.host}:${exposed.port}` } : {}) };
}

export const stopRegistry = (): string[] => ['docker', 'container', 'stop', REGISTRY_CONTAINER];

export const registryImagePresent = (): string[] => ['docker', 'image', 'inspect', '--format', '{{.Id}}', REGISTRY_IMAGE];

/** Receives `docker save` on stdin: the robot needs no internet to get registry:2. */
export const loadImage = (): string[] => ['docker', 'image', 'load'];

/**
 * Frees the blobs no remaining manifest uses. Not --delete-untagged: that would also drop the
 * rollback image's manifest (untagged in the registry since the next push moved the tag).
 */
export const garbageCollect = (): string[] => [
  'docker', 'container', 'exec', REGISTRY_CONTAINER, '/bin/registry', 'garbage-collect', '/etc/docker/registry/config.yml',
];
