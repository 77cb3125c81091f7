import type { RobotRun } from '../context.ts';

/** The post's step 5: the tunnel and the SSH connection close; the robot's registry stays up on purpose. */
export async function closeRobot(run: RobotRun): Promise<void> {
  // A tunnel opened while building may still be opening when an up-to-date robot is done.
  await run.tunnelOpening;
  await run.tunnelIfAny?.close();
  await run.locking?.catch(() => undefined);
  run.lock?.release();
  run.connectionIfAny?.close();
}

/** deploy --watch, between redeploys: the robot's lock is given back; the connection and tunnel stay warm. */
export async function releaseRobot(run: RobotRun): Promise<void> {
  await run.tunnelOpening;
  run.tunnelOpening = undefined;
  await run.locking?.catch(() => undefined);
  run.lock?.release();
  run.lock = undefined;
}
