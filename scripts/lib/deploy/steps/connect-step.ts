import { formatSshTarget } from '../../config/ssh-target.ts';
import type { DeployContext, RobotRun } from '../context.ts';

/** One SSH connection per robot carries every remote step; the host key must match the pinned one. */
export async function connectStep(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<string | undefined> {
  if (run.connectionIfAny && !run.connectionIfAny.isClosed()) return 'kept open';
  // deploy --watch after a drop: the tunnel and lock went with the old connection.
  await run.tunnelIfAny?.close();
  run.tunnel = undefined;
  run.lock = undefined;
  // ssh2 loads here, while the build already runs beside this step.
  const { connectRobot } = await import('../../ssh/connect.ts');
  const connection = await connectRobot(run.robot, { knownHosts: ctx.knownHosts, link: ctx.config.link });
  run.connected(connection.runner, connection);
  ctx.teardown.add(`SSH connection to ${run.robot.name}`, () => connection.close());
  const key = connection.hostKey;
  if (key.kind === 'first-contact') {
    const notice = `${run.robot.name}: first contact, pinned ${key.type} host key ${key.fingerprint} in ${ctx.knownHosts.file}`;
    ctx.notices.push(notice);
    report(notice);
  } else report(`${formatSshTarget(run.robot.target)} host key ${key.fingerprint} matches the pinned one`);
}
