// The payload rate of the last measured transfer to each robot (a push or upload of several MB, or a
// short probe), kept on the laptop with when it was measured: DELTA=auto and the gzip level go by it.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { laptopCachePath, replaceFile } from '../files/laptop-cache.ts';

/** Transfers smaller than this say more about round trips than about the link. */
export const MEASURABLE_BYTES = 4e6;
/** Older than this, a rate is not taken for the link of this deploy (a robot moves from the pit's cable to the field's Wi-Fi). */
export const FRESH_FOR_MS = 60_000;

export interface LinkRate {
  bitsPerSecond: number;
  /** When it was measured (ms since the epoch). */
  at: number;
}

export function linkRatesFile(env: NodeJS.ProcessEnv = process.env): string {
  return laptopCachePath(env, 'link-rates.json');
}

function readAll(file: string): Record<string, LinkRate> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (!parsed || typeof parsed !== 'object') return {};
    const rates: Record<string, LinkRate> = {};
    for (const [robot, value] of Object.entries(parsed)) {
      // Before 2026-12 the file held bare numbers, measured at an unknown time.
      const rate = typeof value === 'number' ? { bitsPerSecond: value, at: 0 } : (value as Partial<LinkRate>);
      if (typeof rate?.bitsPerSecond === 'number' && Number.isFinite(rate.bitsPerSecond) && rate.bitsPerSecond > 0)
        rates[robot] = { bitsPerSecond: rate.bitsPerSecond, at: typeof rate.at === 'number' ? rate.at : 0 };
    }
    return rates;
  } catch {
    return {};
  }
}

/** The robot's rate, if one was measured (within `maxAgeMs` when given). */
export function linkRate(file: string, robot: string, maxAgeMs = Infinity, now = Date.now()): number | undefined {
  const rate = readAll(file)[robot];
  return rate && now - rate.at <= maxAgeMs ? rate.bitsPerSecond : undefined;
}

/**
 * Keeps bytes/seconds of one transfer when it was big enough to measure the link (`minimum`). Best
 * effort: a laptop whose cache cannot be written only loses the measurement, never the deploy.
 */
export function recordLinkRate(file: string, robot: string, bytes: number, seconds: number, minimum = MEASURABLE_BYTES): void {
  if (bytes < minimum || !(seconds > 0)) return;
  const all = readAll(file);
  all[robot] = { bitsPerSecond: (bytes * 8) / seconds, at: Date.now() };
  try {
    mkdirSync(dirname(file), { recursive: true });
    replaceFile(file, `${JSON.stringify(all, null, 1)}\n`);
  } catch {
    // An unwritable cache: the next deploy measures again.
  }
}
