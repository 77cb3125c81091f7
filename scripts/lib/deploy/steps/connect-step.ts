import { parseProbe, probe, imageRef, type ProbeResult } from '../../commands/robot-docker.ts';
import { formatSshTarget } from '../../config/ssh-target.ts';
import { RecordingRunner } from '../../runner/recording-runner.ts';
import { runChecked } from '../../runner/runner.ts';
import { buildFor, type DeployContext, type RobotRun } from '../context.ts';
import { dryRunResponder } from '../dry-run.ts';
import { sameImage } from '../image-identity.ts';
import { platformVerdict } from '../platform-verdict.ts';
import { openReadyTunnel } from './tunnel-step.ts';

/** One SSH connection per robot carries every remote step; the host key must match the pinned one. */
export async function connectStep(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<string | void> {
  if (ctx.recorded) {
    run.connected(new RecordingRunner(run.robot.name, ctx.recorded, dryRunResponder));
    return;
  }
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

/** Read-only: the robot engine's platform, the image IDs it holds now, and its registry's state. */
export async function probeStep(ctx: DeployContext, run: RobotRun): Promise<void> {
  const refs = run.workspaces.map((ws) => imageRef(ctx.config.image, ws));
  const result = await runChecked(run.runner, probe(refs), `checking docker on ${run.robot.name}`);
  run.remote = parseProbe(result.stdout);
  const registry = run.remote.registry;
  const warm = run.tunnelIfAny?.isOpen() && run.registryPortIfKnown === registry.port;
  if (!ctx.recorded && registry.status === 'running' && registry.port && !warm) {
    await run.tunnelIfAny?.close();
    // Read-only so far; a tunnel changes nothing on the robot, so it may open while the image builds.
    run.registryPort = registry.port;
    run.tunnelOpening = openReadyTunnel(ctx, run).catch((error: Error) => error);
  }
  if (!ctx.recorded) checkPlatform(ctx, run, run.remote);
}

/** The image must run on the robot, natively or through qemu (slow, so it is said). */
function checkPlatform(ctx: DeployContext, run: RobotRun, remote: ProbeResult): void {
  const verdict = platformVerdict(run.robot.platform, remote);
  if (verdict === 'native') return;
  if (verdict === 'emulated') {
    ctx.notices.push(`${run.robot.name}'s engine is ${remote.platform}: its ${run.robot.platform} images run under qemu emulation, much slower than on the robot's own architecture`);
    return;
  }
  throw new Error(
    `${run.robot.name}'s engine is ${remote.platform} but its platform is ${run.robot.platform}; ` +
      `set ${run.robot.envPrefix}_PLATFORM=${remote.platform}${remote.platform === 'linux/arm' ? '/v7' : ''} in robots.env`,
  );
}

/** Waits for the shared builds, then keeps only workspaces whose robot image differs. */
export async function compareStep(ctx: DeployContext, run: RobotRun): Promise<string> {
  run.stale = [];
  for (const ws of run.workspaces) {
    const built = await buildFor(ctx, run, ws).result.promise;
    const onRobot = run.remote.images.get(imageRef(ctx.config.image, ws));
    if (onRobot && sameImage(built, onRobot)) run.outcomes.set(ws, { kind: 'up-to-date', id: built.id });
    else run.stale.push(ws);
  }
  const fresh = run.workspaces.filter((ws) => !run.stale.includes(ws));
  return fresh.length ? `up to date: ${fresh.join(', ')}` : `to deploy: ${run.stale.join(', ')}`;
}
