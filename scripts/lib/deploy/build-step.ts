import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildxBuild, imageId, imageSize, plainBuild, type BuildSpec } from '../commands/local-docker.ts';
import { dockerfilePath } from '../config/select.ts';
import type { ProjectConfig } from '../config/project-config.ts';
import { CommandError, lastLines, type Runner } from '../runner/runner.ts';
import { buildKey, type BuildJob, type BuildPath, type BuiltImage, type RobotRun } from './context.ts';
import { Deferred } from './deferred.ts';

/** One build per (platform, workspace), shared by every robot that needs it. */
export function planBuilds(config: ProjectConfig, runs: readonly RobotRun[]): Map<string, BuildJob> {
  return planBuildJobs(config, runs.flatMap((run) => run.workspaces.map((ws) => ({ platform: run.robot.platform, ws }))));
}

export function planBuildJobs(config: ProjectConfig, pairs: readonly { platform: string; ws: string }[]): Map<string, BuildJob> {
  const jobs = new Map<string, BuildJob>();
  const platformsPerWs = new Map<string, Set<string>>();
  for (const { platform, ws } of pairs) platformsPerWs.set(ws, (platformsPerWs.get(ws) ?? new Set()).add(platform));
  for (const { platform, ws } of pairs) {
    const key = buildKey(platform, ws);
    if (jobs.has(key)) continue;
    // Two platforms of one workspace cannot share the local tag IMAGE:WS.
    const tag = platformsPerWs.get(ws)!.size > 1 ? `${ws}-${platform.replace(/\//g, '-')}` : ws;
    const spec: BuildSpec = { platform, tag: `${config.image}:${tag}`, dockerfile: dockerfilePath(config, ws), context: config.context };
    jobs.set(key, { platform, ws, spec, result: new Deferred<BuiltImage>() });
  }
  return jobs;
}

export async function runBuild(local: Runner, path: BuildPath, spec: BuildSpec, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  return path === 'buildx' ? buildWithBuildx(local, spec, onOutput) : buildWithDocker(local, spec, onOutput);
}

async function buildWithDocker(local: Runner, spec: BuildSpec, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  const built = await local.run(plainBuild(spec), { onOutput });
  if (built.code !== 0) throw new CommandError(local.where, plainBuild(spec), built, `docker build of ${spec.tag} (${spec.platform})`);
  const [id, size] = await Promise.all([local.run(imageId(spec.tag)), local.run(imageSize(spec.tag))]);
  return { id: id.stdout.trim() || 'sha256:<image-id-after-build>', sizeBytes: Number(size.stdout.trim()) || undefined };
}

async function buildWithBuildx(local: Runner, spec: BuildSpec, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  const dir = mkdtempSync(join(tmpdir(), 'robot-deploy-'));
  const metadataFile = join(dir, 'metadata.json');
  try {
    const built = await local.run(buildxBuild(spec, metadataFile), { onOutput });
    if (built.code !== 0) throw new CommandError(local.where, buildxBuild(spec, metadataFile), built, `docker buildx build of ${spec.tag} (${spec.platform})`);
    return { id: configDigest(metadataFile) ?? 'sha256:<image-id-after-build>' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** buildx's metadata names the image config digest, which is the image ID on the robot. */
export function configDigest(metadataFile: string): string | undefined {
  try {
    const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
    const digest = metadata['containerimage.config.digest'];
    return typeof digest === 'string' ? digest : undefined;
  } catch {
    return undefined;
  }
}

export function describeBuildFailure(error: unknown): string {
  if (error instanceof CommandError) return `${error.message.split(':')[0]}: ${lastLines(error.result.stderr || error.result.stdout, 4)}`;
  return (error as Error).message;
}
