// Robot scripts name the robot's lock directory literally (/var/lib/robot-deploy): a test that runs one
// on this machine moves it into a directory of its own, made as robot-deploy makes it.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROBOT_LOCK_DIR } from '../../scripts/lib/commands/robot-lock-script.ts';
import { tempDir } from './cli.ts';

/** A fresh lock directory: 2770, nothing for other accounts. */
export function makeLockDir(): string {
  const dir = join(tempDir('rd-lock-'), 'robot-deploy');
  mkdirSync(dir);
  chmodSync(dir, 0o2770);
  return dir;
}

/** The script text with its lock directory moved to `dir`. */
export const withLockDirText = (script: string, dir: string): string => script.replaceAll(ROBOT_LOCK_DIR, dir);

/** An `sh -c SCRIPT …` argv from a command builder, its lock directory moved to `dir`. */
export function withLockDir(argv: readonly string[], dir: string): string[] {
  return argv[0] === 'sh' && argv[1] === '-c' ? ['sh', '-c', withLockDirText(argv[2], dir), ...argv.slice(3)] : [...argv];
}
