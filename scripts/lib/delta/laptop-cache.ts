// The laptop's cache for robot-deploy (chunk indexes, link rates): where it lives, and how a file in it
// is replaced so a reader never sees half of one.
import { renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CACHE_HOME/robot-deploy/…`, else `~/.cache/robot-deploy/…` (the robot's delta work dir follows the same rule). */
export const laptopCachePath = (env: NodeJS.ProcessEnv, ...parts: string[]): string =>
  join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'robot-deploy', ...parts);

/** Writes `data` beside `file`, then renames it over `file`. */
export function replaceFile(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
