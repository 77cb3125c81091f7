// Reading a Docker engine's answers: versions, platform and image store. Pure parsers.

export type ImageStore = 'containerd' | 'classic';

/** `docker info`'s DriverStatus names the containerd snapshotter when the engine uses the containerd image store. */
export function imageStoreOf(driverStatusJson: string): ImageStore {
  return driverStatusJson.includes('io.containerd.snapshotter') ? 'containerd' : 'classic';
}

export interface EngineVersion {
  client: string;
  server: string;
  /** os/arch of the engine, e.g. linux/arm64. */
  platform: string;
}

/** The output of `docker version --format '{{.Client.Version}} {{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}'`. */
export function parseEngineVersion(stdout: string): EngineVersion {
  const [client = 'unknown', server = 'unknown', platform = 'unknown'] = stdout.trim().split(/\s+/);
  return { client, server, platform };
}

/**
 * Before 23.0 the docker CLI carried BuildKit itself (DOCKER_BUILDKIT=1); since then `docker build`
 * is BuildKit only through the buildx plugin, and without it falls back to the legacy builder.
 */
export function cliCarriesBuildkit(clientVersion: string): boolean {
  const major = Number(/^(\d+)\./.exec(clientVersion)?.[1]);
  return Number.isFinite(major) && major < 23;
}
