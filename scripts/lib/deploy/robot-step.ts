import type { RobotConfig } from '../config/project-config.ts';
import type { DeployContext } from './context.ts';
import type { RobotRun } from './robot-run.ts';

/** What a step says on its line: a note for the title, or nothing. */
export type StepNote = string | undefined;

/**
 * One step of the post, as data: the task list (robot-tasks.ts) runs a command's steps in order, one
 * task each, and needs to know nothing else of them. deploy.ts's list is steps/index.ts.
 */
export interface RobotStep {
  title: string;
  /** Only robots this is true for take the step (a <NAME>_COMPOSE or <NAME>_AFTER set). */
  appliesTo?: (robot: RobotConfig) => boolean;
  /** Ships images: skipped for a robot that holds every workspace already (after the compare). */
  shipsImages?: boolean;
  /** Waits for the laptop's builds: a command with such a step builds (or takes its ready images). */
  needsBuilds?: boolean;
  /** Decides which workspaces ship: after it, steps that ship images skip a robot that is up to date. */
  comparesBuild?: boolean;
  /** Ends with every workspace deployed: a robot without an outcome for each then failed. */
  deploys?: boolean;
  /** `show` puts a line of progress under the step's title. */
  run(ctx: DeployContext, run: RobotRun, show: (text: string) => void): Promise<StepNote>;
  /** --dry-run's version, for steps that need a live SSH link; every other step runs on the recording runner. */
  dryRun?(ctx: DeployContext, run: RobotRun): Promise<StepNote>;
}
