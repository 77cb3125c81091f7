import { sameImage } from '../commands/image-identity.ts';
import { parseRobotStatus, queryRobotStatus, type RobotStatusReport } from '../commands/robot-status.ts';
import type { ProjectConfig, RobotConfig } from '../config/project-config.ts';
import { buildKey } from '../image-build/build-job.ts';
import { planBuildJobs } from '../image-build/build-plan.ts';
import { describeLocalImage } from '../image-build/laptop-build.ts';
import { ProgramNotFoundError } from '../runner/find-program.ts';
import { type Runner, runChecked } from '../runner/runner.ts';
import { withRobotConnection } from '../ssh/connect.ts';
import type { KnownHosts } from '../ssh/host-keys.ts';

export type SyncState = 'in sync' | 'stale' | 'missing' | 'unknown';

export interface StatusRow {
  robot: string;
  ws: string;
  state: SyncState;
  robotId?: string;
  laptopId?: string;
  deployedAt?: Date;
  previousId?: string;
}

export interface RobotStatusResult {
  robot: RobotConfig;
  rows: StatusRow[];
  report?: RobotStatusReport;
  error?: string;
}

/** Each robot's workspaces against the laptop's images (the tags deploy.ts would build). */
export async function gatherStatus(
  config: ProjectConfig,
  robots: RobotConfig[],
  local: Runner,
  knownHosts: KnownHosts,
): Promise<RobotStatusResult[]> {
  const jobs = planBuildJobs(
    config,
    robots.flatMap((r) => r.workspaces.map((ws) => ({ platform: r.platform, ws }))),
  );
  const laptopImages = new Map(
    await Promise.all(
      [...jobs].map(async ([key, job]) => {
        // Without docker the robots' side is still worth showing: the laptop's images are then unknown.
        const found = await describeLocalImage(local, job.spec.tag).catch((error: Error) => {
          if (error instanceof ProgramNotFoundError) return { digests: [] as string[], localId: undefined };
          throw error;
        });
        return [key, found.localId ? { ...found, id: found.localId } : undefined] as const;
      }),
    ),
  );
  return Promise.all(
    robots.map(async (robot): Promise<RobotStatusResult> => {
      try {
        return await withRobotConnection(robot, { knownHosts, link: config.link }, async (connection) => {
          const result = await runChecked(
            connection.runner,
            queryRobotStatus(config.image, robot.workspaces),
            `reading status of ${robot.name}`,
          );
          const report = parseRobotStatus(result.stdout);
          const rows = robot.workspaces.map((ws): StatusRow => {
            const onRobot = report.workspaces.get(ws) ?? {};
            const laptop = laptopImages.get(buildKey(robot.platform, ws));
            const laptopId = laptop?.id;
            const same = laptop && onRobot.identity && sameImage(laptop, onRobot.identity);
            const state: SyncState = !onRobot.id ? 'missing' : !laptop ? 'unknown' : same ? 'in sync' : 'stale';
            return {
              robot: robot.name,
              ws,
              state,
              robotId: onRobot.id,
              laptopId,
              deployedAt: onRobot.deployedAt,
              previousId: onRobot.previousId,
            };
          });
          return { robot, rows, report };
        });
      } catch (error) {
        return { robot, rows: [], error: (error as Error).message };
      }
    }),
  );
}
