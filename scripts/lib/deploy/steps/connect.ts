import { formatSshTarget } from '../../config/ssh-target.ts';
import { RecordingRunner } from '../../runner/recording-runner.ts';
import { robotResponder } from '../dry-run.ts';
import type { RobotStep } from '../robot-step.ts';

/** One SSH connection per robot carries every remote step; the host key must match the pinned one. */
export const connect: RobotStep = {
  title: 'connect',
  async run(ctx, run, show) {
    const connection = await run.link.open();
    if (!connection) return 'kept open';
    const key = connection.hostKey;
    if (key.kind !== 'first-contact') {
      show(`${formatSshTarget(run.robot.target)} host key ${key.fingerprint} matches the pinned one`);
      return undefined;
    }
    const notice = `${run.robot.name}: first contact, pinned ${key.type} host key ${key.fingerprint} in ${ctx.config.knownHostsFile}`;
    ctx.notices.push(notice);
    show(notice);
    return undefined;
  },
  // The robot's commands are recorded, answered as a robot with the configured platform would.
  async dryRun(ctx, run) {
    run.link.connected(new RecordingRunner(run.robot.name, ctx.recorded ?? [], robotResponder(run.robot)));
    return undefined;
  },
};
