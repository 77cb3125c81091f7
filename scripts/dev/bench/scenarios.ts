// The four situations the benchmark measures, as data: where each starts, what changes before
// every measured run, and what a correct run must have done (so a round cannot measure something else).
import { BASE_BYTES } from './bench-project.ts';
import type { ContenderKey } from './contender.ts';
import { ROS_BASE_BYTES, ROS_CHANGED_FILES, ROS_LAYER_BYTES, ROS_PACKAGE_FILES } from './ros-workspace.ts';

export type ScenarioKey =
  | 'first'
  | 'small'
  | 'none'
  | 'two'
  | 'slow'
  | 'far'
  | 'watch'
  | 'ros'
  | 'ros20'
  | 'ros2'
  | 'ros-first'
  | 'routes'
  | 'watch-harness';

export interface Scenario {
  key: ScenarioKey;
  title: string;
  /** How the robot is brought to the scenario's start before each run, for the report. */
  method: string;
  robotNames: readonly string[];
  /** top.txt for the scenario's set-up build. */
  initialTop: string;
  /** Contenders deployed once, unmeasured, so their registries hold the base layer first. */
  warmUp: readonly ContenderKey[];
  /** Before every measured run: wipe the robots, write a new top.txt, or nothing. */
  beforeRun: 'wipe-robots' | 'change-top' | 'nothing';
  /** Whether the measured run must land an image ID the robots did not have. */
  imageChanges: boolean;
  /** robot-deploy's summary status each robot must report. */
  ourStatus: 'deployed' | 'up to date';
  /** Bytes each robot's link must carry during a run of this contender, [at least, at most]. */
  wireBounds(contender: ContenderKey): [number, number];
  /** Only these take part (default: all three). */
  contenders?: readonly ContenderKey[];
  /** Incompressible bytes written to top.txt before every run, instead of a short text. */
  topBytes?: number;
  /** tc rate of the robots' links during measured runs (the set-up and warm-ups run at the fleet's rate). */
  measuredRate?: string;
  /** The ROS-like workspace (ros-workspace.ts) instead of the ~150 MB one. */
  ros?: boolean;
  /** The second harness's workspace (harness-workspace.ts) instead of the ~150 MB one. */
  harness?: boolean;
  /** At most this many measured rounds, whatever --rounds says (slow links). */
  maxRounds?: number;
}

/** 12 MB of /dev/urandom in the top layer: what a rebuilt ROS package layer costs on the link. */
export const SLOW_TOP_BYTES = 12e6;
export const SLOW_RATE = '2mbit';
export const FAR_RTT_MS = 50;
export const FAR_JITTER_MS = 5;
const REGISTRY_TOOLS: readonly ContenderKey[] = ['robot-deploy', 'openssh-flow'];
const WATCH_AND_OPENSSH: readonly ContenderKey[] = ['robot-deploy-watch', 'openssh-flow'];
const ROUTES: readonly ContenderKey[] = ['robot-deploy', 'robot-deploy-staged', 'robot-deploy-upload'];

const WHOLE_IMAGE: [number, number] = [0.9 * BASE_BYTES, Infinity];
// A top layer, a config and a manifest, plus SSH and HTTP chatter: far below the base layer.
const TOP_ONLY: [number, number] = [0, 0.05 * BASE_BYTES];

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'first',
    title: 'first deploy',
    method:
      'same image every round; before every run (all three tools) both registry containers, their volumes and every image but registry:2 are removed from the robot, and the base layer is checked absent',
    robotNames: ['sim1'],
    initialTop: 'first deploy',
    warmUp: [],
    beforeRun: 'wipe-robots',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => WHOLE_IMAGE,
  },
  {
    key: 'small',
    title: 'small-change redeploy',
    method: 'a new top.txt before every run (the build is part of the run); registries already hold the base',
    robotNames: ['sim1'],
    initialTop: 'small change: warm-up',
    warmUp: ['robot-deploy', 'openssh-flow'],
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: (key) => (key === 'save-gzip-load' ? WHOLE_IMAGE : TOP_ONLY),
  },
  {
    key: 'none',
    title: 'no-change redeploy',
    method: 'the robot already holds the exact image (deployed once by each registry tool beforehand)',
    robotNames: ['sim1'],
    initialTop: 'no change',
    warmUp: ['robot-deploy', 'openssh-flow'],
    beforeRun: 'nothing',
    imageChanges: false,
    ourStatus: 'up to date',
    wireBounds: (key) => (key === 'save-gzip-load' ? WHOLE_IMAGE : key === 'robot-deploy' ? [0, 1e6] : TOP_ONLY),
  },
  {
    key: 'two',
    title: 'small change, 2 robots at once',
    method: 'a new top.txt before every run, deployed to sim1 and sim2 in one go (baselines: both robots in parallel)',
    robotNames: ['sim1', 'sim2'],
    initialTop: 'two robots: warm-up',
    warmUp: ['robot-deploy', 'openssh-flow'],
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: (key) => (key === 'save-gzip-load' ? WHOLE_IMAGE : TOP_ONLY),
  },
  {
    key: 'slow',
    title: '12 MB change over 2 Mbit/s',
    method: `12 MB of new random bytes in the top layer before every run, on a ${SLOW_RATE} link (warm-ups at the fleet's rate); save|gzip|load would send the whole image and is left out`,
    robotNames: ['slow'],
    initialTop: 'slow link: warm-up',
    warmUp: REGISTRY_TOOLS,
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => [0.95 * SLOW_TOP_BYTES, 1.3 * SLOW_TOP_BYTES],
    contenders: REGISTRY_TOOLS,
    topBytes: SLOW_TOP_BYTES,
    measuredRate: SLOW_RATE,
  },
  {
    key: 'far',
    title: `small change at ${FAR_RTT_MS} ms RTT`,
    method: `a new top.txt before every run, on a 100 Mbit/s link with ${FAR_RTT_MS} ms ± ${FAR_JITTER_MS} ms RTT (every SSH connection and HTTP exchange pays it); save|gzip|load is left out`,
    robotNames: ['far'],
    initialTop: 'far robot: warm-up',
    warmUp: REGISTRY_TOOLS,
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => TOP_ONLY,
    contenders: REGISTRY_TOOLS,
  },
  {
    key: 'watch',
    title: 'small change, deploy --watch',
    method:
      "one `deploy.ts --watch` for the scenario (its first deploy is the warm-up; its own copy of the workspace, so the baseline's saves do not reach it), timed from the save of a new top.txt until its line says the robot holds the new image; against the OpenSSH flow's whole small-change run, build included",
    robotNames: ['sim1'],
    initialTop: 'watch: warm-up',
    warmUp: WATCH_AND_OPENSSH,
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => TOP_ONLY,
    contenders: WATCH_AND_OPENSSH,
  },
  {
    key: 'routes',
    title: 'small change by each push route',
    method:
      "a new top.txt before every run; robot-deploy as it chooses (docker push through the tunnel where the engine reaches the laptop's loopback), then forced (RD_PUSH_ROUTE) to stage in the engine's own registry and copy on, and to upload what docker save reads; all on the same engine (--laptop-engine)",
    robotNames: ['sim1'],
    initialTop: 'routes: warm-up',
    warmUp: ROUTES,
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => TOP_ONLY,
    contenders: ROUTES,
  },
  {
    key: 'watch-harness',
    title: "small change, deploy --watch, in the second harness's workspace",
    method:
      'as watch, but the build context holds a 150 MB incompressible file and a 450 kB text file, a RUN step runs, a small app file changes, and the Dockerfile sits in the workspace directory under the context root',
    robotNames: ['sim1'],
    initialTop: 'app: warm-up',
    warmUp: WATCH_AND_OPENSSH,
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => TOP_ONLY,
    contenders: WATCH_AND_OPENSSH,
    harness: true,
  },
  rosScenario('ros', '100 Mbit/s'),
  rosScenario('ros20', '20 Mbit/s', '20mbit'),
  rosScenario('ros2', '2 Mbit/s', '2mbit', 2),
  {
    key: 'ros-first',
    title: 'ROS-like workspace, first deploy (~460 MB)',
    method:
      'the ROS-like image; before every run both registry containers, their volumes and every image but registry:2 are removed from the robot',
    robotNames: ['sim1'],
    initialTop: 'ros first',
    warmUp: [],
    beforeRun: 'wipe-robots',
    imageChanges: true,
    ourStatus: 'deployed',
    wireBounds: () => [50e6, Infinity],
    contenders: REGISTRY_TOOLS,
    ros: true,
  },
];

/** A one-package rebuild of the ROS-like workspace at one link rate (warm-ups at the fleet's). */
function rosScenario(key: ScenarioKey, rate: string, measuredRate?: string, maxRounds?: number): Scenario {
  return {
    key,
    title: `ROS-like workspace, one package rebuilt, ${rate}`,
    method: `a ~${ROS_BASE_BYTES / 1e6} MB base of this machine's shared libraries and a ~${ROS_LAYER_BYTES / 1e6} MB layer of ${ROS_PACKAGE_FILES} binaries, ${ROS_CHANGED_FILES} of which become other binaries before every run (each content size occurs once, so the floor is honest); robot-deploy with its default settings (DELTA=auto); save|gzip|load is left out${maxRounds ? `; at most ${maxRounds} rounds` : ''}`,
    robotNames: ['sim1'],
    initialTop: `${key}: warm-up`,
    warmUp: REGISTRY_TOOLS,
    beforeRun: 'change-top',
    imageChanges: true,
    ourStatus: 'deployed',
    // The delta sends about the floor; the OpenSSH flow the rebuilt layer gzipped; the base never again.
    wireBounds: () => [0, ROS_LAYER_BYTES],
    contenders: REGISTRY_TOOLS,
    ros: true,
    ...(measuredRate ? { measuredRate } : {}),
    ...(maxRounds ? { maxRounds } : {}),
  };
}
