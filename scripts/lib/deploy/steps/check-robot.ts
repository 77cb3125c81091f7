import { imageRef, type ProbeResult, parseProbe, probe } from '../../commands/robot-docker.ts';
import { runChecked } from '../../runner/runner.ts';
import type { DeployContext } from '../context.ts';
import { platformVerdict } from '../platform-verdict.ts';
import type { RobotRun } from '../robot-run.ts';
import type { RobotStep } from '../robot-step.ts';

/**
 * Read-only: the robot engine's platform, the image IDs it holds now, and its registry's state.
 * deploy --watch asks once per connection: between saves it knows what it deployed itself.
 */
export const checkRobot: RobotStep = {
  title: 'check robot',
  async run(ctx, run) {
    if (run.remoteIfProbed && run.probedOn && run.probedOn === run.link.closed) return 'known from the last redeploy';
    const refs = run.workspaces.map((ws) => imageRef(ctx.config.image, ws));
    const result = await runChecked(run.link.runner, probe(refs), `checking docker on ${run.robot.name}`);
    run.remote = parseProbe(result.stdout);
    run.probedOn = run.link.closed;
    const registry = run.remote.registry;
    if (registry.status === 'running' && registry.port && !ctx.recorded) {
      // Read-only so far; a tunnel changes nothing on the robot, so it may open while the image builds.
      run.registryPort = registry.port;
      run.link.openTunnelEarly(registry.port);
    }
    checkPlatform(ctx, run, run.remote);
    return undefined;
  },
};

/** The image must run on the robot, natively or through qemu (slow, so it is said). */
function checkPlatform(ctx: DeployContext, run: RobotRun, remote: ProbeResult): void {
  const verdict = platformVerdict(run.robot.platform, remote);
  if (verdict === 'native') return;
  if (verdict === 'emulated') {
    ctx.notices.push(
      `${run.robot.name}'s engine is ${remote.platform}: its ${run.robot.platform} images run under qemu emulation, much slower than on the robot's own architecture`,
    );
    return;
  }
  throw new Error(
    `${run.robot.name}'s engine is ${remote.platform} but its platform is ${run.robot.platform}; ` +
      `set ${run.robot.envPrefix}_PLATFORM=${remote.platform}${remote.platform === 'linux/arm' ? '/v7' : ''} in robots.env`,
  );
}
