import type { BuildSpec } from '../commands/local-docker.ts';
import type { ProjectConfig } from '../config/project-config.ts';
import { dockerfilePath } from '../config/select.ts';
import { Deferred } from '../runner/deferred.ts';
import { type BuildJob, type BuiltImage, buildKey } from './build-job.ts';

/** One build per (platform, workspace), shared by every robot that needs it. */
export function planBuilds(
  config: ProjectConfig,
  runs: readonly { robot: { platform: string }; workspaces: readonly string[] }[],
): Map<string, BuildJob> {
  return planBuildJobs(
    config,
    runs.flatMap((run) => run.workspaces.map((ws) => ({ platform: run.robot.platform, ws }))),
  );
}

export function planBuildJobs(config: ProjectConfig, pairs: readonly { platform: string; ws: string }[]): Map<string, BuildJob> {
  const jobs = new Map<string, BuildJob>();
  const platformsPerWs = new Map<string, Set<string>>();
  for (const { platform, ws } of pairs) platformsPerWs.set(ws, (platformsPerWs.get(ws) ?? new Set()).add(platform));
  for (const { platform, ws } of pairs) {
    const key = buildKey(platform, ws);
    if (jobs.has(key)) continue;
    // Two platforms of one workspace cannot share the local tag IMAGE:WS.
    const tag = (platformsPerWs.get(ws)?.size ?? 1) > 1 ? `${ws}-${platform.replace(/\//g, '-')}` : ws;
    const spec: BuildSpec = {
      platform,
      tag: `${config.image}:${tag}`,
      dockerfile: dockerfilePath(config, ws),
      context: config.context,
    };
    jobs.set(key, { platform, ws, spec, result: new Deferred<BuiltImage>() });
  }
  return jobs;
}
