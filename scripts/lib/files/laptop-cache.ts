// The laptop's cache for robot-deploy (chunk indexes, link rates): where it lives, and how a file in it
// is replaced so a reader never sees half of one.
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { renameRetrying } from './rename-retrying.ts';

/**
 * Where the laptop keeps its cache: `$XDG_CACHE_HOME`, else on Windows `%LOCALAPPDATA%` (the per-machine, not
 * roaming, profile folder), else `~/.cache` (the robot's delta work dir follows the same rule on the robot).
 */
export function laptopCacheRoot(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'robot-deploy');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'robot-deploy', 'Cache');
  return join(home, '.cache', 'robot-deploy');
}

export const laptopCachePath = (env: NodeJS.ProcessEnv, ...parts: string[]): string => join(laptopCacheRoot(env), ...parts);

/** Writes `data` beside `file`, then renames it over `file`. */
export function replaceFile(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameRetrying(tmp, file);
}
