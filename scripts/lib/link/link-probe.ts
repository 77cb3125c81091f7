// The link to a robot as it is now, for DELTA=auto when no transfer measured it in the last minute:
// random bytes sent on an SSH channel of their own, timed until the robot has read them all. A short
// first probe sizes a second one to about half a second of the link, so a slow link costs about a
// second and a fast one is not judged by TCP's slow start alone.
import { randomBytes } from 'node:crypto';
import { linkKey } from './link-key.ts';
import { linkRatesFile, recordLinkRate } from './link-rates.ts';
import type { RobotLink } from './robot-link.ts';
import { sendBytes } from './send-bytes.ts';

const FIRST_BYTES = 128 * 1024;
const MIN_BYTES = 256 * 1024;
const MAX_BYTES = 4 * 1024 * 1024;
const TARGET_SECONDS = 0.5;

/** Bits per second from the robot's point of view (SSH and TCP included), recorded for the next deploys. */
export async function measureLink(link: RobotLink): Promise<number> {
  const timed = async (bytes: number) => {
    const started = performance.now();
    await sendBytes(link, ['sh', '-c', 'cat >/dev/null'], randomBytes(bytes), link.deps.signal);
    return (bytes * 8) / ((performance.now() - started) / 1000);
  };
  const rough = await timed(FIRST_BYTES);
  const bytes = Math.round(Math.min(MAX_BYTES, Math.max(MIN_BYTES, (rough / 8) * TARGET_SECONDS)));
  const started = performance.now();
  const rate = await timed(bytes);
  recordLinkRate(linkRatesFile(), linkKey(link.robot), bytes, (performance.now() - started) / 1000, 0);
  return rate;
}
