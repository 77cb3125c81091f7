import type { ProjectConfig } from '../config/project-config.ts';
import { formatSshTarget } from '../config/ssh-target.ts';
import type { RobotStatusResult, SyncState } from './gather-status.ts';

/** Bumped only when a field is removed or changes meaning; new fields may appear within a version. */
export const STATUS_JSON_VERSION = 1;

export interface StatusJson {
  schema: 'robot-deploy.status';
  version: typeof STATUS_JSON_VERSION;
  envFile: string;
  image: string;
  robots: {
    name: string;
    host: string;
    reachable: boolean;
    error: string | null;
    registry: string | null;
    imagesSize: string | null;
    registrySize: string | null;
    workspaces: {
      workspace: string;
      ref: string;
      state: SyncState;
      robotId: string | null;
      laptopId: string | null;
      previousId: string | null;
      deployedAt: string | null;
    }[];
  }[];
}

/** status.ts --json: every field always present (null when unknown), IDs in full, times in ISO 8601 UTC. */
export function statusJson(config: ProjectConfig, results: readonly RobotStatusResult[]): StatusJson {
  return {
    schema: 'robot-deploy.status',
    version: STATUS_JSON_VERSION,
    envFile: config.file,
    image: config.image,
    robots: results.map(({ robot, rows, report, error }) => ({
      name: robot.name,
      host: formatSshTarget(robot.target),
      reachable: !error,
      error: error ?? null,
      registry: report?.registry ?? null,
      imagesSize: report?.imagesSize ?? null,
      registrySize: report?.registrySize ?? null,
      workspaces: rows.map((row) => ({
        workspace: row.ws,
        ref: `${config.image}:${row.ws}`,
        state: row.state,
        robotId: row.robotId ?? null,
        laptopId: row.laptopId ?? null,
        previousId: row.previousId ?? null,
        deployedAt: row.deployedAt?.toISOString() ?? null,
      })),
    })),
  };
}
