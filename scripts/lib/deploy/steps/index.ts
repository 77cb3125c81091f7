// deploy.ts's steps, in the post's order: connect and look, then the post's 2-4, then what a robot's
// <NAME>_COMPOSE and <NAME>_AFTER ask for. The build (step 1) runs beside them (image-build/build-tasks.ts);
// clean-up (step 5) closes each robot's link after its last step, however it ended.
import type { RobotStep } from '../robot-step.ts';
import { after, compose } from './after-deploy.ts';
import { checkRobot } from './check-robot.ts';
import { compareWithBuild } from './compare.ts';
import { connect } from './connect.ts';
import { pullAndTag } from './pull-and-tag.ts';
import { push } from './push.ts';
import { registry } from './registry.ts';
import { tunnel } from './tunnel.ts';

export const DEPLOY_STEPS: readonly RobotStep[] = [
  connect,
  checkRobot,
  compareWithBuild,
  registry,
  tunnel,
  push,
  pullAndTag,
  compose,
  after,
];
