// The robot-side lock every robot script and the lock holder share: its functions are robot-sh/lock.sh,
// which names these values literally (tests/unit/commands/robot-sh.test.ts keeps them in step).
import { robotScript } from './robot-sh.ts';

/** Exit code of a robot script that waited too long for the robot's lock. */
export const ROBOT_LOCK_BUSY = 75;
/** Exit code of a robot script that found no lock it could trust (its message says what to run). */
export const ROBOT_LOCK_UNUSABLE = 76;
/** How long a robot script waits for a lock someone else holds. */
export const ROBOT_LOCK_WAIT_SECONDS = 120;
/** Where the robot keeps its locks: a directory only root creates, closed to accounts that do not deploy. */
export const ROBOT_LOCK_DIR = '/var/lib/robot-deploy';

/** Shell functions lock_group, own_lock_dir, lock_dir_of and robot_lock (see robot-sh/lock.sh). */
export const ROBOT_LOCK = robotScript('lock.sh');

/** Holds the robot's lock (`-s` shared, `-x` exclusive) while one heartbeat byte arrives within `silenceSeconds`. */
export function holdLock(flag: '-s' | '-x', silenceSeconds: number): string[] {
  return ['sh', '-c', robotScript('lock.sh', 'hold-lock.sh'), 'robot-lock', flag, String(silenceSeconds)];
}
