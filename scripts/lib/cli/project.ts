import { loadProjectConfig, resolveEnvFile } from '../config/load-config.ts';
import type { ProjectConfig, RobotConfig } from '../config/project-config.ts';
import { selectRobots } from '../config/select.ts';

/** robots.env from --env-file / ROBOTS_ENV / ./robots.env, and the robots named on the command line. */
export function loadRobots(envFlag: string | undefined, names: readonly string[]): { config: ProjectConfig; robots: RobotConfig[] } {
  const config = loadProjectConfig(resolveEnvFile(envFlag));
  return { config, robots: selectRobots(config, names) };
}
