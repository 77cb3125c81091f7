import { waitForRegistry } from '../../net/registry-ready.ts';
import { openTunnel, type Tunnel } from '../../ssh/tunnel.ts';
import type { DeployContext, RobotRun } from '../context.ts';

/** The post's step 3: laptop 127.0.0.1:<free port> → robot 127.0.0.1:<registry port>, ready when /v2/ answers. */
export async function tunnelStep(ctx: DeployContext, run: RobotRun): Promise<string> {
  const remotePort = run.registryPort;
  const early = await run.tunnelOpening;
  if (!early && run.tunnelIfAny?.isOpen()) return `127.0.0.1:${run.tunnel.port} → ${run.robot.name}:127.0.0.1:${remotePort}, kept open`;
  const tunnel = early instanceof Error || !early ? await openReadyTunnel(ctx, run) : early;
  const moved = tunnel.port !== run.robot.registryPort ? ` (${run.robot.registryPort} was taken)` : '';
  return `127.0.0.1:${tunnel.port}${moved} → ${run.robot.name}:127.0.0.1:${remotePort}, registry answers${early && !(early instanceof Error) ? ' (opened while building)' : ''}`;
}

/** Opens the tunnel to run.registryPort, owned by the teardown, and waits for the registry to answer. */
export async function openReadyTunnel(
  ctx: DeployContext,
  run: RobotRun,
  preferredPort = run.robot.registryPort,
  readyMs = 15000,
): Promise<Tunnel> {
  const tunnel = await openTunnel(run.sshClient, run.registryPort, preferredPort);
  run.tunnel = tunnel;
  ctx.teardown.add(`tunnel 127.0.0.1:${tunnel.port} to ${run.robot.name}`, () => tunnel.close());
  try {
    await tunnel.use(() => waitForRegistry(tunnel.port, readyMs, ctx.signal));
  } catch (error) {
    await tunnel.close();
    throw error;
  }
  return tunnel;
}
