import { imageRef, type ProbeResult, parseProbe, probe } from '../../commands/robot-docker.ts';
import { runChecked } from '../../runner/runner.ts';
import type { DeployContext, RobotRun } from '../context.ts';
import { platformVerdict } from '../platform-verdict.ts';
import { openReadyTunnel } from './tunnel-step.ts';

/**
 * Read-only: the robot engine's platform, the image IDs it holds now, and its registry's state.
 * deploy --watch asks once per connection: between saves it knows what it deployed itself.
 */
export async function probeStep(ctx: DeployContext, run: RobotRun): Promise<string | undefined> {
  if (ctx.keepOpen && run.remoteIfProbed && run.probedOn && run.probedOn === run.connectionIfAny) return 'known from the last redeploy';
  const refs = run.workspaces.map((ws) => imageRef(ctx.config.image, ws));
  const result = await runChecked(run.runner, probe(refs), `checking docker on ${run.robot.name}`);
  run.remote = parseProbe(result.stdout);
  run.probedOn = run.connectionIfAny;
  const registry = run.remote.registry;
  const warm = run.tunnelIfAny?.isOpen() && run.registryPortIfKnown === registry.port;
  if (registry.status === 'running' && registry.port && !warm) {
    await run.tunnelIfAny?.close();
    // Read-only so far; a tunnel changes nothing on the robot, so it may open while the image builds.
    run.registryPort = registry.port;
    run.tunnelOpening = openReadyTunnel(ctx, run).catch((error: Error) => error);
  }
  checkPlatform(ctx, run, run.remote);
  return undefined;
}

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
