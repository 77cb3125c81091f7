import { cliCarriesBuildkit, type ImageStore, imageStoreOf, parseEngineVersion } from '../commands/engine-info.ts';
import { buildxVersion, engineInfo, engineVersion } from '../commands/local-docker.ts';
import { lastLines, type Runner } from '../runner/runner.ts';
import type { BuildPath } from './build-job.ts';

export interface LaptopEngine {
  buildPath: BuildPath;
  /** What the engine calls its OS: "Docker Desktop", a VM's guest OS (colima: e.g. "Ubuntu 24.04 LTS"), the host's. */
  os: string;
  /** Engine version and platform, e.g. "26.1.5 linux/amd64". */
  version: string;
  store: ImageStore;
}

/** Fails fast, before any robot is touched, when the laptop's Docker engine is not usable. */
export async function inspectLaptopEngine(local: Runner, env: NodeJS.ProcessEnv = process.env): Promise<LaptopEngine> {
  const forced = env.RD_BUILDER;
  if (forced && forced !== 'buildx' && forced !== 'docker') throw new Error(`RD_BUILDER=${forced}: use buildx or docker`);
  // Independent questions, asked at once: every deploy pays for them before anything else starts.
  const [version, buildx, info] = await Promise.all([
    local.run(engineVersion()),
    forced ? undefined : local.run(buildxVersion()),
    local.run(engineInfo()),
  ]);
  if (version.code !== 0) {
    throw new Error(
      `the laptop's Docker engine is not reachable (${lastLines(version.stderr, 1)}). ` +
        `Start Docker Desktop or dockerd${env.DOCKER_HOST ? `, or fix DOCKER_HOST=${env.DOCKER_HOST}` : ''}, then retry.`,
    );
  }
  const { client, server, platform } = parseEngineVersion(version.stdout);
  const buildPath = chooseBuildPath(forced === 'buildx' || (!forced && buildx?.code === 0), client);
  const [os = '', driverStatus = ''] = info.stdout.split('|');
  return {
    buildPath,
    os: os.trim() || 'unknown',
    version: `${server} ${platform}`,
    store: imageStoreOf(driverStatus),
  };
}

/** The post builds with BuildKit: buildx when installed, else the CLI's own BuildKit where it has one. */
export function chooseBuildPath(hasBuildx: boolean, clientVersion: string): BuildPath {
  if (hasBuildx) return 'buildx';
  return cliCarriesBuildkit(clientVersion) ? 'buildkit' : 'legacy';
}
