// Which images prune removes: only what robot-deploy put there. An image is ours when every name it has
// is a digest from a robot-deploy registry on the robot's loopback for this project's IMAGE; untagged
// images of other software (pulled by digest, or built there) are never touched, nor are shared ones.
import type { EngineImage, Inventory } from '../commands/robot-prune.ts';

const OUR_REGISTRY = /^(127\.0\.0\.1|localhost):\d+\/(.+)@sha256:[0-9a-f]{64}$/;

export function isOurs(image: EngineImage, imageName: string): boolean {
  return (
    image.tags.length === 0 && image.digests.length > 0 && image.digests.every((digest) => OUR_REGISTRY.exec(digest)?.[2] === imageName)
  );
}

export interface PruneSelection {
  doomed: EngineImage[];
  /** The current and rollback images, and the newest `keepExtra` older deploys. */
  kept: EngineImage[];
}

export function selectPrunable(inventory: Inventory, imageName: string, keepExtra: number): PruneSelection {
  const candidates = inventory.images
    .filter((image) => isOurs(image, imageName) && !inventory.keep.has(image.id) && !inventory.used.has(image.id))
    .sort((a, b) => b.created.localeCompare(a.created));
  const spared = new Set(candidates.slice(0, keepExtra).map((image) => image.id));
  return {
    doomed: candidates.filter((image) => !spared.has(image.id)),
    kept: inventory.images.filter((image) => inventory.keep.has(image.id) || spared.has(image.id)),
  };
}
