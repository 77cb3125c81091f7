// Argv builders for prune.ts: an inventory of the robot's images, and their removal.
import { robotScript } from './robot-sh.ts';

const INVENTORY_SCRIPT = robotScript('prune-inventory.sh');

export function pruneInventory(image: string, previousSuffix: string, workspaces: readonly string[]): string[] {
  return ['sh', '-c', INVENTORY_SCRIPT, 'prune-inventory', image, previousSuffix, ...workspaces];
}

export interface EngineImage {
  id: string;
  created: string;
  size: number;
  tags: string[];
  digests: string[];
}

export interface Inventory {
  keep: Set<string>;
  used: Set<string>;
  images: EngineImage[];
  imagesSize?: string;
  volumes: Map<string, string>;
}

export function parseInventory(stdout: string): Inventory {
  const ids = (kind: string) => new Set([...stdout.matchAll(new RegExp(`^${kind} (sha256:[0-9a-f]{64})$`, 'gm'))].map((m) => m[1]));
  const images = [...stdout.matchAll(/^image (\S+) (\S+) (\d+) tags=(\S*) digests=(\S*)$/gm)].map(
    ([, id, created, size, tags, digests]) => ({
      id,
      created,
      size: Number(size),
      tags: tags.split(',').filter(Boolean),
      digests: digests.split(',').filter(Boolean),
    }),
  );
  return {
    keep: ids('keep'),
    used: ids('used'),
    images,
    imagesSize: /^df Images\|(\S+)$/m.exec(stdout)?.[1],
    volumes: new Map([...stdout.matchAll(/^volume (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]] as [string, string])),
  };
}

const REMOVE_SCRIPT = robotScript('remove-images.sh');

export function removeImages(ids: readonly string[]): string[] {
  return ['sh', '-c', REMOVE_SCRIPT, 'remove-images', ...ids];
}
