// What becomes of each layer of the new image when robot-deploy uploads it itself: reused (the robot's
// registry has it), rebuilt on the robot by delta from the earlier layer at its place, or sent whole.
import { type Descriptor, ociDescriptor } from '../net/manifest.ts';

export type PlannedLayer =
  | { diffId: string; reuse: Descriptor }
  | { diffId: string; basis: { diffId: string; blob: Descriptor } }
  | { diffId: string; upload: true };

export interface EarlierImage {
  layers: readonly Descriptor[];
  diffIds: readonly string[];
}

/** Whether a new layer goes by delta against `basis` (DELTA=on, or auto's weighing), and why not when not. */
export type DeltaChoice = (basis: { diffId: string; blob: Descriptor }) => { delta: boolean; why: string };

export interface UploadPlan {
  layers: PlannedLayer[];
  /** Why new layers are not sent by delta, each reason once. */
  noDelta: string[];
}

/**
 * `earlier` is the robot's image of the workspace, when a delta may be tried: a rebuilt workspace
 * changes its top layers in place, so a new layer's basis is the earlier layer at the same position
 * (the earlier top layer when the new image has more layers).
 */
export function planUpload(
  newDiffIds: readonly string[],
  onRobot: ReadonlyMap<string, Descriptor>,
  earlier?: EarlierImage,
  choose?: DeltaChoice,
): UploadPlan {
  const noDelta = new Set<string>();
  const layers = newDiffIds.map((diffId, i): PlannedLayer => {
    const held = onRobot.get(diffId);
    if (held) return { diffId, reuse: ociDescriptor(held) };
    if (earlier?.layers.length && choose) {
      const at = Math.min(i, earlier.layers.length - 1);
      const basis = { diffId: earlier.diffIds[at], blob: earlier.layers[at] };
      const verdict = choose(basis);
      if (verdict.delta) return { diffId, basis };
      noDelta.add(verdict.why);
    }
    return { diffId, upload: true };
  });
  return { layers, noDelta: [...noDelta] };
}
