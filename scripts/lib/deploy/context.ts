import type { Client } from 'ssh2';
import { outputMode } from '../cli/output.ts';
import type { ImageIdentity } from '../commands/image-identity.ts';
import type { BuildSpec } from '../commands/local-docker.ts';
import type { ProbeResult } from '../commands/robot-docker.ts';
import type { ProjectConfig, RobotConfig } from '../config/project-config.ts';
import type { PushRoute } from '../push/push-route.ts';
import type { RecordedCommand } from '../runner/recording-runner.ts';
import type { Runner } from '../runner/runner.ts';
import type { RobotConnection } from '../ssh/connect.ts';
import type { KnownHosts } from '../ssh/host-keys.ts';
import type { RobotLock } from '../ssh/robot-lock.ts';
import type { Tunnel } from '../ssh/tunnel.ts';
import type { Deferred } from './deferred.ts';
import { StepClock } from './step-clock.ts';
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
  /** Route "staged": the manifest digest of the one push into the laptop engine's registry, shared by every robot. */
  staged?: Promise<string>;
}

export type WorkspaceOutcome = { kind: 'deployed'; id: string; previous?: string } | { kind: 'up-to-date'; id: string };

/** Thrown when a step reads what an earlier step makes but that step did not run: a bug in a step list, not a user error. */
export class MissingStepError extends Error {
  constructor(robot: string, what: string, step: string) {
    super(`internal error: ${robot} has no ${what} yet; the "${step}" step makes it and must run first`);
    this.name = 'MissingStepError';
  }
}

/**
 * One robot's session through the steps. What a step makes (connection, probe, registry port, tunnel)
 * is read through accessors that fail naming the step that should have made it; the `…IfAny` views
 * serve clean-up and reconnects, which work with whatever was reached.
 */
export class RobotRun {
  private madeConnection?: RobotConnection;
  private madeRunner?: Runner;
  private madeRemote?: ProbeResult;
  /** The connection the probe ran on: deploy --watch probes again only on a new one. */
  probedOn?: RobotConnection;
  private madeRegistryPort?: number;
  private madeTunnel?: Tunnel;
  /** Opened while the image builds, when the probe saw the registry already running. */
  tunnelOpening?: Promise<Tunnel | Error>;
  /** The robot's lock, held shared from the registry step on (exclusive by prune). */
  lock?: RobotLock;
  /** The lock while it is being taken (deploy --watch starts taking it as a redeploy's build starts). */
  locking?: Promise<void>;
  /** Workspaces whose robot image differs from the laptop's. */
  stale: string[] = [];
  /** Manifest digest per workspace, from the push. */
  digests = new Map<string, string>();
  /** Config digest per workspace robot-deploy uploaded itself: the image's ID on a classic robot. */
  configDigests = new Map<string, string>();
  outcomes = new Map<string, WorkspaceOutcome>();
  error?: string;
  clock = new StepClock();

  constructor(
    readonly robot: RobotConfig,
    readonly workspaces: string[],
  ) {}

  /** deploy --watch: a new round keeps the connection, tunnel and probe, and forgets the last round's results. */
  newRound(): void {
    Object.assign(this, {
      stale: [],
      digests: new Map(),
      configDigests: new Map(),
      outcomes: new Map(),
      error: undefined,
      clock: new StepClock(),
      tunnelOpening: undefined,
    });
  }

  get runner(): Runner {
    return this.madeRunner ?? this.missing('command runner', 'connect');
  }

  get connection(): RobotConnection {
    return this.madeConnection ?? this.missing('SSH connection', 'connect');
  }

  get connectionIfAny(): RobotConnection | undefined {
    return this.madeConnection;
  }

  /** The SSH client that carries tunnels, locks and streams. */
  get sshClient(): Client {
    return this.connection.ssh.connection ?? this.missing('open SSH client', 'connect');
  }

  /** A dry run connects through a recording runner, without an SSH connection. */
  connected(runner: Runner, connection?: RobotConnection): void {
    this.madeRunner = runner;
    this.madeConnection = connection;
  }

  get remote(): ProbeResult {
    return this.madeRemote ?? this.missing('probe result', 'check robot');
  }

  get remoteIfProbed(): ProbeResult | undefined {
    return this.madeRemote;
  }

  set remote(result: ProbeResult) {
    this.madeRemote = result;
  }

  get registryPort(): number {
    return this.madeRegistryPort ?? this.missing('registry port', 'registry');
  }

  get registryPortIfKnown(): number | undefined {
    return this.madeRegistryPort;
  }

  set registryPort(port: number) {
    this.madeRegistryPort = port;
  }

  get tunnel(): Tunnel {
    return this.madeTunnel ?? this.missing('tunnel', 'tunnel');
  }

  set tunnel(tunnel: Tunnel | undefined) {
    this.madeTunnel = tunnel;
  }

  get tunnelIfAny(): Tunnel | undefined {
    return this.madeTunnel;
  }

  private missing(what: string, step: string): never {
    throw new MissingStepError(this.robot.name, what, step);
  }
}

/**
 * The robot-session engine's shared state. scripts/lib/deploy is that engine: deploy.ts and push.ts
 * run all of its steps, build.ts only the builds, and registry.ts, tunnel.ts and prune.ts a few robot
 * steps each. Every command-only option is given when the context is built (prepareDeploy).
 */
export interface DeployContext {
  readonly config: ProjectConfig;
  readonly knownHosts: KnownHosts;
  readonly local: Runner;
  /** Laptop runner that still works after Ctrl-C aborted `local`, for teardown. */
  readonly localTeardown: Runner;
  readonly buildPath: BuildPath;
  /** How layers reach the robot's registry, asked of the engine once, when the first push needs it. */
  readonly pushRoute: () => Promise<PushRoute>;
  /** Planned once per round (deploy --watch plans again for every redeploy). */
  readonly builds: Map<string, BuildJob>;
  readonly robots: readonly RobotRun[];
  readonly teardown: Teardown;
  readonly signal: AbortSignal;
  /** push.ts: ship the images already on the laptop instead of building. */
  readonly useExistingImages: boolean;
  /** prune.ts: how many older deploys to keep besides the current and rollback images. */
  readonly pruneKeep: number;
  /** deploy --watch: connections and tunnels stay open between redeploys. */
  readonly keepOpen: boolean;
  /** Set for --dry-run: commands are recorded here and nothing runs. */
  readonly recorded?: RecordedCommand[];
  readonly notices: string[];
  /** --no-delta: layers always travel by docker push. */
  readonly noDelta: boolean;
}

export const buildKey = (platform: string, ws: string): string => `${platform} ${ws}`;

/** The shared build a robot's workspace waits on. */
export function buildFor(ctx: Pick<DeployContext, 'builds'>, run: RobotRun, ws: string): BuildJob {
  const job = ctx.builds.get(buildKey(run.robot.platform, ws));
  if (!job) throw new Error(`internal error: no build planned for ${ws} on ${run.robot.platform} (${run.robot.name})`);
  return job;
}

/** Live progress on a terminal; in CI, pipes and dry runs, plain lines that read well in a log. */
export function isInteractive(ctx: Pick<DeployContext, 'recorded'>): boolean {
  // -v prints commands between the lines, which a redrawing display would overwrite.
  return Boolean(process.stdout.isTTY) && !process.env.CI && !ctx.recorded && !outputMode.verbose;
}
