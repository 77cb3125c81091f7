// One robot's session through the steps: its link (link/robot-link.ts), and what the steps learn
// and decide on the way. What a step makes is read through accessors that fail naming the step.
import type { ProbeResult } from '../commands/robot-docker.ts';
import type { RobotConfig } from '../config/project-config.ts';
import type { RobotLink } from '../link/robot-link.ts';
import { StepClock } from '../runner/step-clock.ts';

export type WorkspaceOutcome = { kind: 'deployed'; id: string; previous?: string } | { kind: 'up-to-date'; id: string };

export class RobotRun {
  private madeRemote?: ProbeResult;
  private madeRegistryPort?: number;
  /** The connection the probe ran on (its `closed` promise): deploy --watch probes again only on a new one. */
  probedOn?: Promise<Error | undefined>;
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
    readonly link: RobotLink,
  ) {}

  /** deploy --watch: a new round keeps the link and the probe, and forgets the last round's results. */
  newRound(): void {
    Object.assign(this, {
      stale: [],
      digests: new Map(),
      configDigests: new Map(),
      outcomes: new Map(),
      error: undefined,
      clock: new StepClock(),
    });
  }

  get remote(): ProbeResult {
    if (!this.madeRemote) throw this.missing('probe result', 'check robot');
    return this.madeRemote;
  }

  get remoteIfProbed(): ProbeResult | undefined {
    return this.madeRemote;
  }

  set remote(result: ProbeResult) {
    this.madeRemote = result;
  }

  get registryPort(): number {
    if (this.madeRegistryPort === undefined) throw this.missing('registry port', 'registry');
    return this.madeRegistryPort;
  }

  get registryPortIfKnown(): number | undefined {
    return this.madeRegistryPort;
  }

  set registryPort(port: number) {
    this.madeRegistryPort = port;
  }

  private missing(what: string, step: string): Error {
    return new Error(`internal error: ${this.robot.name} has no ${what} yet; the "${step}" step makes it and must run first`);
  }
}
