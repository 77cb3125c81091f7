import type { LinkPolicy } from './link-policy.ts';
import type { SshTarget } from './ssh-target.ts';

export interface RobotConfig {
  /** Lowercase name used on the command line and in messages. */
  name: string;
  /** The robots.env key prefix, e.g. ROBOT1 for ROBOT1_HOST. */
  envPrefix: string;
  target: SshTarget;
  platform: string;
  workspaces: string[];
  /** Absolute path of the identity file, when robots.env names one. */
  sshKey?: string;
  registryPort: number;
  /** Shell command run on the robot after a successful deploy. */
  after?: string;
  /** A compose file (absolute path) or project on the robot whose services are brought up after a deploy. */
  compose?: string;
  /** Path of the docker CLI on the robot, when it is not on the SSH session's PATH (<NAME>_DOCKER). */
  dockerPath?: string;
  /** DELTA / <NAME>_DELTA: false (off, the default) always pushes; 'auto' decides per layer from the measured link rate. */
  delta: boolean | 'auto';
}

export interface ProjectConfig {
  file: string;
  dir: string;
  image: string;
  /** Absolute build context; workspace W builds context/W/Dockerfile. */
  context: string;
  workspaces: string[];
  platform: string;
  registryPort: number;
  sshKey?: string;
  robots: RobotConfig[];
  /** Host keys pinned per robot name, beside robots.env so a team can commit it. */
  knownHostsFile: string;
  /** How long a deploy keeps reconnecting after each drop of the link to a robot. */
  reconnectSeconds: number;
  /** When a silent link counts as lost, and how long a robot command may make no progress. */
  link: LinkPolicy;
}

export const GLOBAL_KEYS = [
  'IMAGE',
  'CONTEXT',
  'WORKSPACES',
  'PLATFORM',
  'SSH_KEY',
  'REGISTRY_PORT',
  'RECONNECT_SECONDS',
  'ALIVE_INTERVAL_SECONDS',
  'ALIVE_COUNT_MAX',
  'ROBOT_TIMEOUT_SECONDS',
  'DELTA',
] as const;
export const ROBOT_KEYS = ['HOST', 'PLATFORM', 'WORKSPACES', 'SSH_KEY', 'REGISTRY_PORT', 'AFTER', 'COMPOSE', 'DOCKER', 'DELTA'] as const;
export type RobotKey = (typeof ROBOT_KEYS)[number];

export const DEFAULTS = { context: '.', platform: 'linux/amd64', registryPort: 5000, reconnectSeconds: 60 } as const;
