import type { RobotConfig } from '../config/project-config.ts';

/** Where the laptop keeps this robot's measured link rate (DELTA=auto, the gzip level). */
export const linkKey = (robot: RobotConfig): string =>
  `${robot.name} ${robot.target.user ?? ''}@${robot.target.host}:${robot.target.port ?? 22}`;
