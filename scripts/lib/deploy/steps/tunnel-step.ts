import { chooseLocalPort } from '../../net/local-port.ts';
import { waitForRegistry } from '../../net/registry-ready.ts';
import { openTunnel, type Tunnel } from '../../ssh/tunnel.ts';
import type { DeployContext, RobotRun } from '../context.ts';

/** The post's step 3: laptop 127.0.0.1:<free port> → robot 127.0.0.1:<registry port>, ready when /v2/ answers. */
export async function tunnelStep(ctx: DeployContext, run: RobotRun): Promise<string> {
  const remotePort = run.registryPort;
  if (ctx.recorded) {
    const port = await chooseLocalPort(run.robot.registryPort);
    run.tunnel = { port, bytesToRobot: () => 0, use: (work) => work(), refused: () => 0, isOpen: () => false, close: async () => undefined };
    return `would forward 127.0.0.1:${port} → ${run.robot.name}:127.0.0.1:${remotePort}`;
  }
  const early = await run.tunnelOpening;
  if (!early && run.tunnelIfAny?.isOpen()) return `127.0.0.1:${run.tunnel.port} → ${run.robot.name}:127.0.0.1:${remotePort}, kept open`;
  const tunnel = early instanceof Error || !early ? await openReadyTunnel(ctx, run) : early;
  const moved = tunnel.port !== run.robot.registryPort ? ` (${run.robot.registryPort} was taken)` : '';
  return `127.0.0.1:${tunnel.port}${moved} → ${run.robot.name}:127.0.0.1:${remotePort}, registry answers${early && !(early instanceof Error) ? ' (opened while building)' : ''}`;
}

/** Opens the tunnel to run.registryPort, owned by the teardown, and waits for the registry to answer. */
export async function openReadyTunnel(ctx: DeployContext, run: RobotRun, preferredPort = run.robot.registryPort, readyMs = 15000): Promise<Tunnel> {
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

/** The post's step 5: the tunnel and the SSH connection close; the robot's registry stays up on purpose. */
export async function closeRobot(run: RobotRun): Promise<void> {
  // A tunnel opened while building may still be opening when an up-to-date robot is done.
  await run.tunnelOpening;
  await run.tunnelIfAny?.close();
  run.lock?.release();
  run.connectionIfAny?.close();
}

/** deploy --watch, between redeploys: the robot's lock is given back; the connection and tunnel stay warm. */
export async function releaseRobot(run: RobotRun): Promise<void> {
  await run.tunnelOpening;
  run.tunnelOpening = undefined;
  run.lock?.release();
  run.lock = undefined;
}

/**
 * tunnel.ts: the tunnel takes connections until Ctrl-C (which closes it through the teardown), or
 * until `idleMinutes` pass without a byte through it: a forgotten tunnel does not stay open for days.
 */
export async function holdTunnel(ctx: DeployContext, run: RobotRun, task: { output: string }, idleMinutes = 10): Promise<string> {
  if (ctx.recorded) return 'would stay open until Ctrl-C';
  task.output = `push with: docker push 127.0.0.1:${run.tunnel.port}/${ctx.config.image}:<workspace> — Ctrl-C closes the tunnel; ${idleMinutes} min without traffic too`;
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<'idle'>((resolve) => {
    let last = run.tunnel.bytesToRobot();
    let quietSince = Date.now();
    timer = setInterval(() => {
      const now = run.tunnel.bytesToRobot();
      if (now !== last) [last, quietSince] = [now, Date.now()];
      else if (Date.now() - quietSince >= idleMinutes * 60_000) resolve('idle');
    }, 1000);
  });
  const aborted = new Promise<undefined>((resolve) => ctx.signal.addEventListener('abort', () => resolve(undefined)));
  const lost = run.connection.closed.then((error) => error ?? new Error('connection closed'));
  try {
    const ended = await run.tunnel.use(() => Promise.race([lost, aborted, idle]));
    if (ended instanceof Error) throw new Error(`the SSH connection to ${run.robot.name} dropped: ${ended.message}`);
    return ended === 'idle' ? `closed after ${idleMinutes} min without traffic` : 'closed';
  } finally {
    clearInterval(timer);
  }
}
