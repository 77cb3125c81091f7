// Argv builder for status.ts: what each workspace's image is on the robot, in one round trip.
import { PREVIOUS_SUFFIX } from '../config/references.ts';
import { digestsOf, type ImageIdentity } from './image-identity.ts';
import { REGISTRY_CONTAINER, REGISTRY_VOLUME } from './robot-registry.ts';
import { robotScript } from './robot-sh.ts';

const STATUS_SCRIPT = robotScript('status.sh');

export function queryRobotStatus(image: string, workspaces: readonly string[]): string[] {
  return ['sh', '-c', STATUS_SCRIPT, 'status', image, PREVIOUS_SUFFIX, REGISTRY_CONTAINER, REGISTRY_VOLUME, ...workspaces];
}

export interface WorkspaceOnRobot {
  id?: string;
  /** How sameImage() compares it with the laptop's. */
  identity?: ImageIdentity;
  deployedAt?: Date;
  previousId?: string;
}

export interface RobotStatusReport {
  workspaces: Map<string, WorkspaceOnRobot>;
  registry: string;
  imagesSize?: string;
  registrySize?: string;
}

export function parseRobotStatus(stdout: string): RobotStatusReport {
  const workspaces = new Map<string, WorkspaceOnRobot>();
  const entry = (ws: string): WorkspaceOnRobot => {
    const found = workspaces.get(ws) ?? {};
    workspaces.set(ws, found);
    return found;
  };
  for (const [, ws, id, when] of stdout.matchAll(/^current (\S+) (sha256:[0-9a-f]{64}) (.+)$/gm)) {
    // LastTagTime is RFC 3339 or Go's "2026-11-22 19:32:18.12 +0000 UTC"; the zero time means never tagged.
    const parsed = new Date(when.replace(/^(\S+) (\S+) ([+-]\d{2})(\d{2}).*$/, '$1T$2$3:$4'));
    Object.assign(entry(ws), {
      id,
      ...(Number.isNaN(parsed.getTime()) || parsed.getFullYear() < 2000 ? {} : { deployedAt: parsed }),
    });
  }
  for (const [, ws] of stdout.matchAll(/^current (\S+) missing$/gm)) entry(ws);
  for (const [, ws, digests = ''] of stdout.matchAll(/^digests (\S+)(.*)$/gm)) {
    const found = entry(ws);
    if (found.id) found.identity = { id: found.id, digests: digestsOf(digests.trim().split(/\s+/)) };
  }
  for (const [, ws, fingerprint] of stdout.matchAll(/^fingerprint (\S+) (.+)$/gm)) {
    const identity = entry(ws).identity;
    if (identity) identity.fingerprint = fingerprint;
  }
  for (const [, ws, id] of stdout.matchAll(/^previous (\S+) (sha256:[0-9a-f]{64})$/gm)) entry(ws).previousId = id;
  return {
    workspaces,
    registry: /^registry (\S+)$/m.exec(stdout)?.[1] ?? 'unknown',
    imagesSize: /^df Images\|(\S+)$/m.exec(stdout)?.[1],
    registrySize: /^volume \S+ (\S+)$/m.exec(stdout)?.[1],
  };
}
