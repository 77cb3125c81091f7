// The four situations the benchmark measures, as data: where each starts, what changes before
// every measured run, and what a correct run must have done (so a round cannot measure something else).
import { BASE_BYTES } from './bench-project.ts';
import type { ContenderKey } from './contender.ts';

export type ScenarioKey = 'first' | 'small' | 'none' | 'two';

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
}

const WHOLE_IMAGE: [number, number] = [0.9 * BASE_BYTES, Infinity];
// A top layer, a config and a manifest, plus SSH and HTTP chatter: far below the base layer.
const TOP_ONLY: [number, number] = [0, 0.05 * BASE_BYTES];

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'first',
    title: 'first deploy',
    method: 'same image every round; before every run (all three tools) both registry containers, their volumes and every image but registry:2 are removed from the robot, and the base layer is checked absent',
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
];
