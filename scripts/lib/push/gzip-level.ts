// How hard robot-deploy gzips a layer it uploads. The upload streams, so it takes about the longer of
// compressing and sending. Measured on the bench's ROS-like layers (one core of the project's 2-core
// machine, Node's zlib): level 1 reads ~69 MB/s and keeps 41 % of the bytes, level 6 ~33 MB/s and 38 %.
// Below ~100 Mbit/s the link is the bound at either level, so level 6's fewer bytes win; above, level 1's speed.

export const FAST_LEVEL = 1;
export const SMALL_LEVEL = 6;
/** Where level 6's compression time meets level 1's time on the wire: 33 MB/s × 0.41 ≈ 13.5 MB/s, less a margin. */
const SLOW_LINK_BITS = 80e6;

/** Without a measured rate (a first push to this robot): the fast level, which never makes a fast link wait. */
export function gzipLevelFor(bitsPerSecond: number | undefined): number {
  return bitsPerSecond !== undefined && bitsPerSecond < SLOW_LINK_BITS ? SMALL_LEVEL : FAST_LEVEL;
}
