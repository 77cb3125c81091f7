// Argv builders for the registry container on a robot. Values travel as positional
// parameters of a fixed script, so nothing a user typed is ever parsed by the robot's shell.
import { robotScript } from './robot-sh.ts';

export const REGISTRY_CONTAINER = 'robot-deploy-registry';
export const REGISTRY_VOLUME = 'robot-deploy-registry';
export const REGISTRY_IMAGE = 'registry:2';

/** Exit codes of robot-sh/ensure-registry.sh beyond 0/1. */
export const ENSURE_NO_IMAGE = 3;
export const ENSURE_PORT_BUSY = 4;

const ENSURE_SCRIPT = robotScript('lock.sh', 'registry-binds.sh', 'ensure-registry.sh');

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
