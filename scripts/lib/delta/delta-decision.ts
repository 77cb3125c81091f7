// DELTA=auto (the default): the delta pays when the bytes it saves take longer than its fixed work
// (reading the new layer on the laptop, chunking, unpacking, replaying and checking on the robot).
// Both sides are estimated before any of that work, from the earlier layer's size in the robot's
// registry and the link's rate: measured in the last minute, else by a short probe of this deploy.

/** What one delta costs per byte of layer, laptop and robot together, measured on the bench's ROS-like layers (2 shared cores) with a docker save of the image. */
export const DELTA_BYTES_PER_SECOND = 15e6;
/** The same when the layer is read from the engine's own registry (the staged route), without docker save. */
export const DELTA_STAGED_BYTES_PER_SECOND = 30e6;
/** Its fixed cost: a few SSH commands and docker cp calls. */
export const DELTA_FIXED_SECONDS = 1.5;
/** gzip of typical binaries: a compressed layer is about this share of its tar. */
export const GZIP_SHARE = 0.4;
/** How fast the whole-layer route compresses, if it does (one core): dockerd's gzip for docker push, Node's level 1 for robot-deploy's upload. */
export const COMPRESS_BYTES_PER_SECOND = { 'docker push': 20e6, upload: 69e6, staged: Infinity } as const;
/** The delta is chosen only when its estimate is clearly below the whole layer's. */
const MARGIN = 0.8;

export interface DeltaCase {
  /** The earlier layer's blob in the robot's registry, and whether it is stored uncompressed. */
  basisBlobBytes: number;
  basisUncompressed: boolean;
  bitsPerSecond: number;
  /** How the layer would go whole: docker push compresses it, the upload too (faster), the staged copy sends what the engine compressed already. */
  route: keyof typeof COMPRESS_BYTES_PER_SECOND;
}

export interface DeltaVerdict {
  delta: boolean;
  why: string;
}

export function decideDelta(c: DeltaCase): DeltaVerdict {
  const layerBytes = c.basisUncompressed ? c.basisBlobBytes : c.basisBlobBytes / GZIP_SHARE;
  const wireBytes = c.basisUncompressed ? c.basisBlobBytes * GZIP_SHARE : c.basisBlobBytes;
  // The whole layer streams: compressing and sending overlap, the slower one bounds it.
  const pushSeconds = Math.max((wireBytes * 8) / c.bitsPerSecond, layerBytes / COMPRESS_BYTES_PER_SECOND[c.route]);
  const deltaRate = c.route === 'staged' ? DELTA_STAGED_BYTES_PER_SECOND : DELTA_BYTES_PER_SECOND;
  const deltaSeconds = DELTA_FIXED_SECONDS + layerBytes / deltaRate;
  const figures = `whole ~${pushSeconds.toFixed(1)} s at ${(c.bitsPerSecond / 1e6).toFixed(1)} Mbit/s against delta ~${deltaSeconds.toFixed(1)} s`;
  return { delta: deltaSeconds < MARGIN * pushSeconds, why: `auto: ${figures}` };
}
