import type { RobotRun } from '../deploy/robot-run.ts';

/** Where the laptop keeps this robot's measured link rate (DELTA=auto, the gzip level). */
export const linkKey = (run: RobotRun): string =>
  `${run.robot.name} ${run.robot.target.user ?? ''}@${run.robot.target.host}:${run.robot.target.port ?? 22}`;
