import { Listr, type ListrTask, PRESET_TIMER } from 'listr2';
import { outputMode } from '../cli/output.ts';
import type { ProjectConfig, RobotConfig } from '../config/project-config.ts';
import { selectWorkspaces } from '../config/select.ts';
import type { BuildPath } from '../image-build/build-job.ts';
import { planBuildJobs, planBuilds } from '../image-build/build-plan.ts';
import { buildTask } from '../image-build/build-tasks.ts';
import { inspectLaptopEngine } from '../image-build/laptop-engine.ts';
import { RobotLink } from '../link/robot-link.ts';
import { choosePushRoute, DRY_RUN_ROUTE, type PushRoute } from '../push/push-route.ts';
import { LocalRunner } from '../runner/local-runner.ts';
import { type RecordedCommand, RecordingRunner } from '../runner/recording-runner.ts';
import { StepClock } from '../runner/step-clock.ts';
import type { Teardown } from '../runner/teardown.ts';
import { KnownHosts } from '../ssh/host-keys.ts';
import { type DeployContext, isInteractive } from './context.ts';
import { laptopResponder } from './dry-run.ts';
import { RobotRun } from './robot-run.ts';
import type { RobotStep } from './robot-step.ts';
import { type Finish, robotTasks, robotTitle } from './robot-tasks.ts';

export interface DeployRequest {
  config: ProjectConfig;
  robots: RobotConfig[];
  wsFlags: string[];
  dryRun: boolean;
  noDelta?: boolean;
  /** registry.ts and tunnel.ts work on robots without any workspace. */
  withoutWorkspaces?: boolean;
  /** build.ts: the (platform, workspace) pairs to build, when no robot names them. */
  buildPairs?: readonly { platform: string; ws: string }[];
  signal: AbortSignal;
  teardown: Teardown;
}

/** Validates everything that can be checked without touching a robot, then prepares the runs. */
export async function prepareDeploy(request: DeployRequest): Promise<DeployContext> {
  const knownHosts = new KnownHosts(request.config.knownHostsFile);
  const linkDeps = {
    knownHosts,
    settings: request.config.link,
    teardown: request.teardown,
    reconnectSeconds: request.config.reconnectSeconds,
    signal: request.signal,
  };
  const runs = request.robots.map(
    (robot) =>
      new RobotRun(
        robot,
        request.withoutWorkspaces ? [] : selectWorkspaces(request.config, robot, request.wsFlags),
        new RobotLink(robot, linkDeps),
      ),
  );
  const recorded: RecordedCommand[] | undefined = request.dryRun ? [] : undefined;
  const real = new LocalRunner(request.signal);
  const engine = request.dryRun ? dryRunEngine() : await inspectLaptopEngine(real);
  let route: Promise<PushRoute> | undefined;
  return {
    config: request.config,
    local: recorded ? new RecordingRunner('laptop', recorded, laptopResponder) : real,
    localTeardown: recorded ? new RecordingRunner('laptop', recorded, laptopResponder) : new LocalRunner(),
    buildPath: engine.buildPath,
    pushRoute: () => (route ??= request.dryRun ? Promise.resolve(DRY_RUN_ROUTE) : choosePushRoute(real, request.signal)),
    builds: request.buildPairs ? planBuildJobs(request.config, request.buildPairs) : planBuilds(request.config, runs),
    robots: runs,
    teardown: request.teardown,
    signal: request.signal,
    recorded,
    notices: [],
    noDelta: Boolean(request.noDelta),
  };
}

/** A dry run runs nothing, not even `docker buildx version`: RD_BUILDER picks the path shown. */
function dryRunEngine(): { buildPath: BuildPath } {
  return { buildPath: process.env.RD_BUILDER === 'buildx' ? 'buildx' : 'buildkit' };
}

/** Concurrent tasks; the default renderer on a terminal, plain lines in CI and pipes. */
export async function runTaskList(ctx: DeployContext, tasks: ListrTask<DeployContext>[], quiet = false): Promise<void> {
  const interactive = isInteractive(ctx) && !quiet;
  const list = new Listr<DeployContext>(tasks, {
    ctx,
    concurrent: true,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'simple',
    silentRendererCondition: quiet || outputMode.quiet,
    fallbackRendererCondition: !interactive,
    rendererOptions: { collapseSubtasks: false, timer: PRESET_TIMER },
    fallbackRendererOptions: { timer: PRESET_TIMER },
  });
  await list.run().catch(() => undefined);
}

export interface RunOptions {
  /** deploy --watch's redeploys: no task list shown. */
  quiet?: boolean;
  /** deploy --watch keeps each robot's link open between saves. */
  finish?: Finish;
  /** push.ts: ship the images already on the laptop instead of building. */
  existingImages?: boolean;
}

/** Builds and robots run side by side: a robot connects and checks while the image builds. */
export async function runDeploy(
  ctx: DeployContext,
  buildClock: StepClock,
  steps: readonly RobotStep[],
  options: RunOptions = {},
): Promise<void> {
  const interactive = isInteractive(ctx);
  // Only steps that compare with or ship the laptop's image need it built (not registry, tunnel or prune).
  const needsBuilds = steps.some((step) => step.needsBuilds);
  // The engine is asked how it reaches the tunnel while the image builds.
  if (needsBuilds && !ctx.recorded) void ctx.pushRoute().catch(() => undefined);
  const tasks: ListrTask<DeployContext>[] = [
    ...(needsBuilds
      ? [...ctx.builds.values()].map((job) => buildTask<DeployContext>(ctx, job, buildClock, interactive, options.existingImages))
      : []),
    ...ctx.robots.map(
      (run): ListrTask<DeployContext> => ({
        title: robotTitle(run),
        task: (_ctx, task) =>
          task.newListr(robotTasks(ctx, run, steps, options.finish ?? 'close'), { concurrent: false, exitOnError: false }),
      }),
    ),
  ];
  await runTaskList(ctx, tasks, options.quiet);
  const deploys = steps.some((step) => step.deploys);
  for (const run of ctx.robots) {
    if (deploys && !run.error && run.outcomes.size < run.workspaces.length) run.error = 'did not finish (see the step above)';
  }
}

/** registry.ts, tunnel.ts, prune.ts and cleanup.ts: a few robot steps on robots taken without their workspaces (nothing is built). */
export async function runRobotSteps(
  request: Pick<DeployRequest, 'config' | 'robots' | 'dryRun' | 'signal' | 'teardown'>,
  steps: readonly RobotStep[],
): Promise<DeployContext> {
  const ctx = await prepareDeploy({ ...request, wsFlags: [], withoutWorkspaces: true });
  await runDeploy(ctx, new StepClock(), steps);
  return ctx;
}
