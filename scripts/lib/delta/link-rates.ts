// The payload rate of the last big docker push to each robot, kept on the laptop for DELTA=auto.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { laptopCachePath, replaceFile } from './laptop-cache.ts';

/** Pushes smaller than this say more about round trips than about the link. */
export const MEASURABLE_BYTES = 4e6;

export function linkRatesFile(env: NodeJS.ProcessEnv = process.env): string {
  return laptopCachePath(env, 'link-rates.json');
}

function readAll(file: string): Record<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}

export function linkRate(file: string, robot: string): number | undefined {
  const rate = readAll(file)[robot];
  return typeof rate === 'number' && Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

/**
 * Keeps bytes/seconds of one push when it was big enough to measure the link. Best effort: a
 * laptop whose cache cannot be written only loses the measurement, never the deploy.
 */
export function recordLinkRate(file: string, robot: string, bytes: number, seconds: number): void {
  if (bytes < MEASURABLE_BYTES || !(seconds > 0)) return;
  const all = readAll(file);
  all[robot] = (bytes * 8) / seconds;
  try {
    mkdirSync(dirname(file), { recursive: true });
    replaceFile(file, `${JSON.stringify(all, null, 1)}\n`);
  } catch {
    // An unwritable cache: DELTA=auto pushes until it can measure.
  }
}
