import { outputMode } from '../cli/output.ts';
import type { ProjectConfig } from '../config/project-config.ts';
import { type BuildJob, type BuildPath, buildKey } from '../image-build/build-job.ts';
import type { PushRoute } from '../push/push-route.ts';
import type { RecordedCommand } from '../runner/recording-runner.ts';
import type { Runner } from '../runner/runner.ts';
import type { Teardown } from '../runner/teardown.ts';
import type { RobotRun } from './robot-run.ts';

/**
 * What the steps of one command share: the project, the laptop's runners and engine, the builds every
 * robot waits on, the robots' sessions, and the way out (teardown, signal). Options of one command
 * live with that command's steps (prune's --keep in its step, push.ts's ready images in its build).
 */
export interface DeployContext {
  readonly config: ProjectConfig;
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
  /** Set for --dry-run: commands are recorded here and nothing runs. */
  readonly recorded?: RecordedCommand[];
  readonly notices: string[];
  /** --no-delta: layers always travel by docker push. */
  readonly noDelta: boolean;
}

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
