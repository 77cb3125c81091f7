// DELTA=auto: the delta pays when the bytes it saves take longer on the link than its fixed work
// (docker save and chunking on the laptop, unpacking, replaying and checking on the robot). Both
// sides are estimated from what is known before any of that work: the earlier layer's size in the
// robot's registry and the link rate measured on an earlier docker push to this robot.

/** What one delta costs per byte of layer, measured (bench ROS-like scenario, 2 shared cores): laptop and robot together. */
export const DELTA_BYTES_PER_SECOND = 15e6;
/** Its fixed cost: a few SSH commands and docker cp calls. */
export const DELTA_FIXED_SECONDS = 1.5;
/** gzip of typical binaries: a compressed layer is about this share of its tar. */
export const GZIP_SHARE = 0.4;
/** The delta is chosen only when its estimate is clearly below the push's. */
const MARGIN = 0.8;

export interface DeltaCase {
  /** The earlier layer's blob in the robot's registry, and whether it is stored uncompressed. */
  basisBlobBytes: number;
  basisUncompressed: boolean;
  /** Measured on an earlier push to this robot (payload bits per second), if any. */
  bitsPerSecond?: number;
}

export interface DeltaVerdict {
  delta: boolean;
  why: string;
}

export function decideDelta(c: DeltaCase): DeltaVerdict {
  if (!c.bitsPerSecond) return { delta: false, why: 'auto: no link rate measured for this robot yet (this push measures it)' };
  const layerBytes = c.basisUncompressed ? c.basisBlobBytes : c.basisBlobBytes / GZIP_SHARE;
  const pushBytes = c.basisUncompressed ? c.basisBlobBytes * GZIP_SHARE : c.basisBlobBytes;
  const pushSeconds = (pushBytes * 8) / c.bitsPerSecond;
  const deltaSeconds = DELTA_FIXED_SECONDS + layerBytes / DELTA_BYTES_PER_SECOND;
  const figures = `push ~${pushSeconds.toFixed(1)} s at ${(c.bitsPerSecond / 1e6).toFixed(1)} Mbit/s against delta ~${deltaSeconds.toFixed(1)} s`;
  return deltaSeconds < MARGIN * pushSeconds ? { delta: true, why: `auto: ${figures}` } : { delta: false, why: `auto: ${figures}` };
}
