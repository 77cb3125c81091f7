import { imageId } from '../commands/local-docker.ts';
import { parseRobotStatus, queryRobotStatus, type RobotStatusReport } from '../commands/robot-status.ts';
import type { ProjectConfig, RobotConfig } from '../config/project-config.ts';
import { planBuildJobs } from '../deploy/build-plan.ts';
import { buildKey } from '../deploy/context.ts';
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
  const laptopIds = new Map(
    await Promise.all(
      [...jobs].map(async ([key, job]) => {
        // Without docker the robots' side is still worth showing: the laptop's images are then unknown.
        const found = await local.run(imageId(job.spec.tag)).catch((error: Error) => {
          if (error instanceof ProgramNotFoundError) return { code: 127, stdout: '', stderr: error.message };
          throw error;
        });
        return [key, found.code === 0 ? found.stdout.trim() : undefined] as const;
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
            const laptopId = laptopIds.get(buildKey(robot.platform, ws));
            const state: SyncState = !onRobot.id ? 'missing' : !laptopId ? 'unknown' : onRobot.id === laptopId ? 'in sync' : 'stale';
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
