import { outputMode } from '../cli/output.ts';
import type { BuildSpec } from '../commands/local-docker.ts';
import type { ProbeResult } from '../commands/robot-docker.ts';
import type { ProjectConfig, RobotConfig } from '../config/project-config.ts';
import type { RecordedCommand } from '../runner/recording-runner.ts';
import type { Runner } from '../runner/runner.ts';
import type { RobotConnection } from '../ssh/connect.ts';
import type { KnownHosts } from '../ssh/host-keys.ts';
import type { RobotLock } from '../ssh/robot-lock.ts';
import type { Tunnel } from '../ssh/tunnel.ts';
import type { Deferred } from './deferred.ts';
import type { ImageIdentity } from './image-identity.ts';
import type { StepClock } from './step-clock.ts';
import type { Teardown } from './teardown.ts';

/** buildx plugin; `DOCKER_BUILDKIT=1 docker build` (CLI < 23); `docker build`'s legacy builder (CLI 23+ without buildx). */
export type BuildPath = 'buildx' | 'buildkit' | 'legacy';

/** The laptop's image: its ID (config digest, or manifest digest on the containerd store) and the digests it was pushed as. */
export interface BuiltImage extends ImageIdentity {
  sizeBytes?: number;
  /** The image's ID in the laptop's `docker images`, when the build put it there (not a docker-container builder). */
  localId?: string;
}

export interface BuildJob {
  platform: string;
  ws: string;
  spec: BuildSpec;
  result: Deferred<BuiltImage>;
}

export type WorkspaceOutcome =
  | { kind: 'deployed'; id: string; previous?: string }
  | { kind: 'up-to-date'; id: string };

export interface RobotRun {
  robot: RobotConfig;
  workspaces: string[];
  runner?: Runner;
  connection?: RobotConnection;
  remote?: ProbeResult;
  /** Workspaces whose robot image differs from the laptop's. */
  stale: string[];
  registryPort?: number;
  tunnel?: Tunnel;
  /** Opened while the image builds, when the probe saw the registry already running. */
  tunnelOpening?: Promise<Tunnel | Error>;
  /** The robot's lock, held shared from the registry step on (exclusive by prune). */
  lock?: RobotLock;
  /** Manifest digest per workspace, from the push. */
  digests: Map<string, string>;
  outcomes: Map<string, WorkspaceOutcome>;
  error?: string;
  clock: StepClock;
}

export interface DeployContext {
  config: ProjectConfig;
  knownHosts: KnownHosts;
  local: Runner;
  /** Laptop runner that still works after Ctrl-C aborted `local`, for teardown. */
  localTeardown: Runner;
  buildPath: BuildPath;
  /** Where the pushing side reaches the tunnel: 127.0.0.1, or host.docker.internal from a Docker Desktop builder. */
  registryHost: string;
  builds: Map<string, BuildJob>;
  robots: RobotRun[];
  teardown: Teardown;
  signal: AbortSignal;
  /** push.ts: ship the images already on the laptop instead of building. */
  useExistingImages: boolean;
  /** prune.ts: how many older deploys to keep besides the current and rollback images. */
  pruneKeep?: number;
  /** deploy --watch: connections and tunnels stay open between redeploys. */
  keepOpen?: boolean;
  /** Set for --dry-run: commands are recorded here and nothing runs. */
  recorded?: RecordedCommand[];
  notices: string[];
  /** --no-delta: layers always travel by docker push. */
  noDelta?: boolean;
}

export const buildKey = (platform: string, ws: string): string => `${platform} ${ws}`;

/** The shared build a robot's workspace waits on. */
export function buildFor(ctx: Pick<DeployContext, 'builds'>, run: RobotRun, ws: string): BuildJob {
  return ctx.builds.get(buildKey(run.robot.platform, ws))!;
}

/** Live progress on a terminal; in CI, pipes and dry runs, plain lines that read well in a log. */
export function isInteractive(ctx: Pick<DeployContext, 'recorded'>): boolean {
  // -v prints commands between the lines, which a redrawing display would overwrite.
  return Boolean(process.stdout.isTTY) && !process.env.CI && !ctx.recorded && !outputMode.verbose;
}
