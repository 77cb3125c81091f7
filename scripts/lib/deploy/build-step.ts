import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildxBuild, imageSize, plainBuild, type BuildSpec } from '../commands/local-docker.ts';
import { dockerfilePath } from '../config/select.ts';
import type { ProjectConfig } from '../config/project-config.ts';
import type { CommandResult, Runner } from '../runner/runner.ts';
import { buildKey, type BuildJob, type BuildPath, type BuiltImage, type RobotRun } from './context.ts';
import { Deferred } from './deferred.ts';
import { DRY_RUN_DIGEST } from './dry-run.ts';

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
  return withTempFile('iid', async (iidFile) => {
    const argv = plainBuild(spec, iidFile);
    const built = await local.run(argv, { onOutput });
    if (built.code !== 0) throw buildFailure(`docker build of ${spec.tag} (${spec.platform})`, built);
    const id = readIfPresent(iidFile).trim() || DRY_RUN_DIGEST;
    const size = await local.run(imageSize(id));
    return { id, sizeBytes: Number(size.stdout.trim()) || undefined };
  });
}

async function buildWithBuildx(local: Runner, spec: BuildSpec, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  return withTempFile('metadata.json', async (metadataFile) => {
    const argv = buildxBuild(spec, metadataFile);
    const built = await local.run(argv, { onOutput });
    if (built.code !== 0) throw buildFailure(`docker buildx build of ${spec.tag} (${spec.platform})`, built);
    return { id: metadataValue(metadataFile, 'containerimage.config.digest') ?? DRY_RUN_DIGEST };
  });
}

/** A file in a fresh temporary directory, removed afterwards (docker writes it; a dry run does not). */
export async function withTempFile<T>(name: string, work: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'robot-deploy-'));
  try {
    return await work(join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readIfPresent(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** buildx's --metadata-file: the config digest is the image ID on the robot, the digest the manifest's. */
export function metadataValue(metadataFile: string, key: string): string | undefined {
  try {
    const value = (JSON.parse(readIfPresent(metadataFile)) as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

// The docker CLI's advice to install buildx is noise next to the compiler error that failed the build.
const BANNER = /DEPRECATED: The legacy builder|Install the buildx component|docs\.docker\.com\/go\/buildx/;

/** The build's own last words (a RUN step prints to stdout), then docker's verdict (stderr). */
function buildFailure(what: string, result: CommandResult): Error {
  const meaningful = (text: string) => text.split('\n').filter((line) => line.trim() && !BANNER.test(line));
  const tail = [...meaningful(result.stdout).slice(-3), ...meaningful(result.stderr).slice(-2)].map((line) => line.trim());
  return new Error(`${what} failed (exit ${result.code}): ${tail.join(' | ') || '(no output)'}`);
}
