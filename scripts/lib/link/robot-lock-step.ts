// The robot's lock across a robot's steps: a deploy takes it shared at the registry step, prune
// exclusively; clean-up releases it, a dropped link frees it, and a reconnect takes it again.

import type { RobotRun } from '../deploy/context.ts';
import { holdRobotLock, type LockMode } from '../ssh/robot-lock.ts';

/** Takes (or changes to) the robot's lock in `mode`; a second call while the first is under way waits for it. */
export function takeRobotLock(run: RobotRun, mode: LockMode): Promise<void> {
  if (run.lock?.mode === mode) return Promise.resolve();
  run.locking ??= (async () => {
    run.lock?.release();
    run.lock = undefined;
    run.lock = await holdRobotLock(run.sshClient, run.robot.name, mode);
  })().finally(() => {
    run.locking = undefined;
  });
  return run.locking;
}

/** After a reconnect: the old session, and the lock with it, ended with the link. */
export async function renewRobotLock(run: RobotRun): Promise<void> {
  if (run.lock) run.lock = await holdRobotLock(run.sshClient, run.robot.name, run.lock.mode);
}
