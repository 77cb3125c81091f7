import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.ts';
import { loadProjectConfig, resolveEnvFile } from './load-config.ts';
import type { ProjectConfig, RobotConfig } from './project-config.ts';
import { workspaceProblem } from './references.ts';

/** Robot names from the command line (case-insensitive, "all" = every robot) to their configs. */
export function selectRobots(config: ProjectConfig, names: readonly string[]): RobotConfig[] {
  const known = config.robots.map((r) => r.name);
  if (names.length === 0) throw new UsageError(`name at least one robot (or "all"). Known robots: ${known.join(', ')}`);
  if (names.some((n) => n.toLowerCase() === 'all')) return config.robots;
  const chosen = names.map((raw) => {
    const robot = config.robots.find((r) => r.name === raw.toLowerCase());
    if (!robot) throw new UsageError(`unknown robot "${printable(raw)}". Known robots in ${config.file}: ${known.join(', ')}`);
    return robot;
  });
  return [...new Set(chosen)];
}

/** Workspaces for one robot: --ws flags win over <NAME>_WORKSPACES and WORKSPACES; each needs a Dockerfile. */
export function selectWorkspaces(config: ProjectConfig, robot: RobotConfig, flags: readonly string[]): string[] {
  const wanted = flags.length ? [...new Set(flags)] : robot.workspaces;
  if (wanted.length === 0) {
    throw new UsageError(
      `no workspace for ${robot.name}: set WORKSPACES in ${config.file} or pass --ws NAME. Found: ${listWorkspaces(config).join(', ') || 'none'}`,
    );
  }
  for (const ws of wanted) {
    const problem = workspaceProblem(ws);
    if (problem) throw new UsageError(`workspace "${printable(ws)}" ${problem}`);
    if (!existsSync(dockerfilePath(config, ws))) {
      throw new UsageError(
        `workspace "${ws}" has no Dockerfile at ${dockerfilePath(config, ws)}. Known workspaces: ${listWorkspaces(config).join(', ') || 'none'}`,
      );
    }
  }
  return wanted;
}

export function dockerfilePath(config: ProjectConfig, ws: string): string {
  return join(config.context, ws, 'Dockerfile');
}

/** Directories of CONTEXT that hold a Dockerfile. */
export function listWorkspaces(config: ProjectConfig): string[] {
  return readdirSync(config.context, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(config.context, entry.name, 'Dockerfile')))
    .map((entry) => entry.name)
    .sort();
}

/** Shows a hostile name safely in an error message: control characters escaped, length capped. */
export function printable(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped;
}

/** robots.env from --env-file / ROBOTS_ENV / ./robots.env, and the robots named on the command line. */
export function loadRobots(envFlag: string | undefined, names: readonly string[]): { config: ProjectConfig; robots: RobotConfig[] } {
  const config = loadProjectConfig(resolveEnvFile(envFlag));
  return { config, robots: selectRobots(config, names) };
}
