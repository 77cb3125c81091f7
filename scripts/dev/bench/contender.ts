// The three ways of landing IMAGE:WS on robots that the benchmark alternates between.
import type { SimRobot } from '../sim/harness.ts';
import type { BenchProject } from './bench-project.ts';

export type ContenderKey =
  | 'robot-deploy'
  | 'openssh-flow'
  | 'save-gzip-load'
  | 'robot-deploy-watch'
  | 'robot-deploy-staged'
  | 'robot-deploy-upload';

export const CONTENDER_LABELS: Record<ContenderKey, string> = {
  'robot-deploy': 'robot-deploy',
  'openssh-flow': 'OpenSSH flow',
  'save-gzip-load': 'save|gzip|load',
  'robot-deploy-watch': 'deploy --watch',
  'robot-deploy-staged': 'staged push',
  'robot-deploy-upload': 'docker save upload',
};

/** robot-deploy with its push route forced (RD_PUSH_ROUTE), to weigh the routes on one engine. */
export const FORCED_ROUTES = { 'robot-deploy-staged': 'staged', 'robot-deploy-upload': 'upload' } as const;

export interface StepTime {
  /** "laptop" or the robot's name. */
  who: string;
  step: string;
  ms: number;
}

export interface RunSample {
  /** Wall time of the whole deploy, build included, as its user would wait for it. */
  ms: number;
  /** robot-deploy only: its own --timings lines, peak memory and per-robot outcome. */
  steps?: StepTime[];
  peakMiB?: number;
  tunnelBytes?: number;
  statuses?: Map<string, string>;
  /** robot-deploy only: how the push step shipped each workspace (delta phases, or why a push). */
  pushNotes?: string;
}

export interface Contender {
  key: ContenderKey;
  /** Builds IMAGE:WS and lands it on every robot given, robots in parallel; `savedAt`: when the run's change was saved. */
  deploy(robots: SimRobot[], savedAt?: number): Promise<RunSample>;
  /** A project of its own instead of the scenario's (deploy --watch must not see the others' saves). */
  project?: BenchProject;
  /** Unmeasured tidying after a run (e.g. the laptop's temporary push tags). */
  afterRun?(robots: SimRobot[]): Promise<void>;
  /** After the scenario's last round (deploy --watch stops its process). */
  finish?(): Promise<void>;
}
