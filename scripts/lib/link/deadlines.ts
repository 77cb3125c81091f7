/**
 * The robot unpacks what it pulls from its own loopback registry, so a pull is bounded by the disk,
 * not the link: ROBOT_TIMEOUT_SECONDS plus a second for every 2 MB (an SD card's pace). A delta's
 * rebuild, which reads and writes the layer several times, takes the same pace.
 */
export function pullDeadlineMs(robotTimeoutSeconds: number, sizeBytes = 0): number {
  return (robotTimeoutSeconds + Math.ceil(sizeBytes / 2e6)) * 1000;
}
