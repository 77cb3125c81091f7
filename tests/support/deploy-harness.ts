// The deploy's steps run in-process, as --dry-run runs them: a project made by makeProject, its context
// prepared by prepareDeploy, and every command recorded instead of run (runner/recording-runner.ts).
// A test may give the robot and the laptop other answers than the dry run's, and may take the steps'
// non-dry paths (`recorded: false`) while the runners still only record.
import { loadProjectConfig } from '../../scripts/lib/config/load-config.ts';
import type { ProjectConfig, RobotConfig } from '../../scripts/lib/config/project-config.ts';
import { buildFor, type DeployContext } from '../../scripts/lib/deploy/context.ts';
import { laptopResponder, robotResponder } from '../../scripts/lib/deploy/dry-run.ts';
import { prepareDeploy, runDeploy } from '../../scripts/lib/deploy/pipeline.ts';
import type { RobotRun } from '../../scripts/lib/deploy/robot-run.ts';
import type { RobotStep } from '../../scripts/lib/deploy/robot-step.ts';
import { connect } from '../../scripts/lib/deploy/steps/connect.ts';
import { DEPLOY_STEPS } from '../../scripts/lib/deploy/steps/index.ts';
import type { BuiltImage } from '../../scripts/lib/image-build/build-job.ts';
import { type RecordedCommand, RecordingRunner, type Responder } from '../../scripts/lib/runner/recording-runner.ts';
import type { CommandResult, Runner, RunOptions } from '../../scripts/lib/runner/runner.ts';
import { StepClock } from '../../scripts/lib/runner/step-clock.ts';
import { Teardown } from '../../scripts/lib/runner/teardown.ts';
import { makeProject } from './cli.ts';

/** One robot at a documentation address; nothing connects to it (the runners record). */
export const ROBOT_ENV = 'IMAGE=app\nWORKSPACES=navigation\nROBOT1_HOST=nuc@192.0.2.64\n';

/** A recorded command in short: a robot script by its name (`probe`, `pull-and-tag`), else docker's first words. */
export const commandName = (argv: readonly string[]): string | undefined => (argv[0] === 'sh' ? argv[3] : argv.slice(0, 3).join(' '));

/** The argv recorded for `where`, in order. */
export const recordedOn = (log: readonly RecordedCommand[], where: string): (readonly string[])[] =>
  log.filter((entry) => entry.where === where).map((entry) => entry.argv);

export interface DeployOptions {
  /** Workspace directories the project gets (each with a Dockerfile); navigation by default. */
  workspaces?: string[];
  wsFlags?: string[];
  noDelta?: boolean;
}

/** A whole list of steps run as `deploy --dry-run` runs it: builds and robots side by side, then the teardown. */
export async function dryRunDeploy(env: string, steps: readonly RobotStep[] = DEPLOY_STEPS, options: DeployOptions = {}) {
  const { envFile } = makeProject(env, options.workspaces);
  const config = loadProjectConfig(envFile);
  const teardown = new Teardown();
  const ctx = await prepareDeploy({
    config,
    robots: config.robots,
    wsFlags: options.wsFlags ?? [],
    dryRun: true,
    noDelta: options.noDelta,
    signal: new AbortController().signal,
    teardown,
  });
  await runDeploy(ctx, new StepClock(), steps, { quiet: true });
  await teardown.run();
  const log = ctx.recorded ?? [];
  const names = (where: string) => recordedOn(log, where).map(commandName);
  return { ctx, log, laptop: names('laptop'), robot: names('robot1'), names };
}

export interface StepSetup extends DeployOptions {
  /** false: the context of a real deploy (steps take their non-dry paths); the runners record all the same. */
  recorded?: boolean;
  /** The robot's answers; the dry run's plausible robot by default. */
  robot?: (robot: RobotConfig) => Responder;
  /** The laptop's answers; the dry run's by default. */
  laptop?: Responder;
}

/** Answers robot scripts by name (`probe`, `ensure-registry`, …); anything else gets exit 0 and no output. */
export const scriptAnswers =
  (answers: Record<string, Partial<CommandResult>>): Responder =>
  (argv) =>
    argv[0] === 'sh' ? answers[argv[3]] : undefined;

/** A runner that keeps the options each command got (deadlines, stdin) and lets a recording runner answer. */
export class OptionsRunner implements Runner {
  readonly records = true;
  readonly calls: { argv: readonly string[]; options?: RunOptions }[] = [];

  constructor(private readonly inner: RecordingRunner) {}

  get where(): string {
    return this.inner.where;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.calls.push({ argv: [...argv], options });
    return this.inner.run(argv, options);
  }
}

export interface StepHarness {
  ctx: DeployContext;
  config: ProjectConfig;
  /** Every command either side was given, in order. */
  log: RecordedCommand[];
  /** The first robot's run. */
  run: RobotRun;
  teardown: Teardown;
  on(where: string): (readonly string[])[];
  /** Finishes the shared build of `ws` for `run`'s platform, as the build task would. */
  built(ws: string, image: BuiltImage, run?: RobotRun): void;
}

/** The context of a deploy with each robot already connected (its runner recording): steps can be called one by one. */
export async function stepHarness(env: string = ROBOT_ENV, setup: StepSetup = {}): Promise<StepHarness> {
  const { envFile } = makeProject(env, setup.workspaces);
  const config = loadProjectConfig(envFile);
  const teardown = new Teardown();
  const prepared = await prepareDeploy({
    config,
    robots: config.robots,
    wsFlags: setup.wsFlags ?? [],
    dryRun: true,
    noDelta: setup.noDelta,
    signal: new AbortController().signal,
    teardown,
  });
  const log = prepared.recorded ?? [];
  const laptop = new RecordingRunner('laptop', log, setup.laptop ?? laptopResponder);
  const ctx: DeployContext = {
    ...prepared,
    local: laptop,
    localTeardown: laptop,
    recorded: setup.recorded === false ? undefined : log,
  };
  for (const run of ctx.robots) {
    run.link.connected(new RecordingRunner(run.robot.name, log, (setup.robot ?? robotResponder)(run.robot)));
  }
  return {
    ctx,
    config,
    log,
    run: ctx.robots[0],
    teardown,
    on: (where) => recordedOn(log, where),
    built: (ws, image, run = ctx.robots[0]) => buildFor(ctx, run, ws).result.resolve(image),
  };
}

/** The connect step of a dry run whose robots answer `answer` first, and as the dry run's robot otherwise. */
export const connectAnswering = (answer: (robot: RobotConfig) => Responder): RobotStep => ({
  ...connect,
  async dryRun(ctx, run) {
    const own = answer(run.robot);
    const plausible = robotResponder(run.robot);
    run.link.connected(new RecordingRunner(run.robot.name, ctx.recorded ?? [], (argv) => own(argv) ?? plausible(argv)));
    return undefined;
  },
});

/** DEPLOY_STEPS (or `steps`) with the connect step replaced by connectAnswering's. */
export const answeredBy = (answer: (robot: RobotConfig) => Responder, steps: readonly RobotStep[] = DEPLOY_STEPS): RobotStep[] =>
  steps.map((step) => (step === connect ? connectAnswering(answer) : step));

/** A digest made of one repeated hex digit, e.g. digest('a') = sha256:aaa…. */
export const digest = (hex: string): string => `sha256:${hex.repeat(64)}`;
