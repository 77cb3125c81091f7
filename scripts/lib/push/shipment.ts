// One workspace on its way to one robot, as the push step hands it to push/: what the push's routes
// and the delta need, and nothing else of the deploy.

import type { ImageIdentity } from '../commands/image-identity.ts';
import type { RobotConfig } from '../config/project-config.ts';
import type { PhaseClock } from '../delta/phase-clock.ts';
import type { BuildJob } from '../image-build/build-job.ts';
import type { RobotLink } from '../link/robot-link.ts';
import type { Laptop } from '../runner/laptop.ts';

export interface Shipment {
  laptop: Laptop;
  /** IMAGE: the repository in the robot's registry; the tag is `ws`. */
  image: string;
  ws: string;
  build: BuildJob;
  robot: RobotConfig;
  link: RobotLink;
  /** The robot's IMAGE:WS now, as the probe saw it. */
  earlier?: ImageIdentity;
  /** Why no layer can go by delta (a dry run, --no-delta, DELTA=off, a first deploy); undefined when one may. */
  noDelta?: string;
  report: (text: string) => void;
  /** Bytes that cross the link outside the tunnel (a delta's literals). */
  onBytes: (bytes: number) => void;
  phases: PhaseClock;
}
