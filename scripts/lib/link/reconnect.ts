import type { DeployContext, RobotRun } from '../deploy/context.ts';
import { openReadyTunnel } from '../deploy/steps/tunnel-step.ts';
import type { RobotConnection } from '../ssh/connect.ts';
import type { Tunnel } from '../ssh/tunnel.ts';
import { renewRobotLock } from './robot-lock-step.ts';

/**
 * Runs one attempt of a step that needs the link (registry hand-over, push, pull). When the SSH
 * connection drops (nothing heard from the robot for ALIVE_INTERVAL_SECONDS × ALIVE_COUNT_MAX),
 * the attempt is stopped, the robot is reconnected and the tunnel reopened, and the attempt runs
 * again — the registry keeps the layers that were finished. Each outage gets RECONNECT_SECONDS
 * of its own; after that the step fails, and the robot's IMAGE:WS has not moved, since tags only
 * move after a complete pull.
 */
export async function withReconnect<T>(
  ctx: DeployContext,
  run: RobotRun,
  what: string,
  attempt: (signal: AbortSignal) => Promise<T>,
  report: (text: string) => void,
): Promise<T> {
  for (;;) {
    const connection = run.connectionIfAny;
    if (!connection) return attempt(ctx.signal);
    const lost = new AbortController();
    void connection.closed.then(() => lost.abort(new Error('SSH connection lost')));
    try {
      return await attempt(AbortSignal.any([ctx.signal, lost.signal]));
    } catch (error) {
      if (ctx.signal.aborted || !connection.isClosed()) throw error;
      const why = (await connection.closed)?.message;
      report(
        `link to ${run.robot.name} lost during ${what}${why ? ` (${why})` : ''}; reconnecting (up to ${ctx.config.reconnectSeconds} s)`,
      );
      await reconnect(ctx, run, Date.now() + ctx.config.reconnectSeconds * 1000, what);
      report(`reconnected to ${run.robot.name}; resuming ${what}`);
    }
  }
}

async function reconnect(ctx: DeployContext, run: RobotRun, deadline: number, what: string): Promise<void> {
  const oldTunnel = run.tunnelIfAny;
  await oldTunnel?.close();
  run.connectionIfAny?.close();
  const sentBefore = oldTunnel?.bytesToRobot() ?? 0;
  let lastError = 'no attempt';
  const { connectRobot } = await import('../ssh/connect.ts');
  while (Date.now() < deadline) {
    ctx.signal.throwIfAborted();
    let connection: RobotConnection | undefined;
    let tunnel: Tunnel | undefined;
    try {
      connection = await connectRobot(run.robot, {
        knownHosts: ctx.knownHosts,
        link: ctx.config.link,
        timeoutMs: Math.min(5000, Math.max(1000, deadline - Date.now())),
      });
      run.connected(connection.runner, connection);
      ctx.teardown.add(`SSH connection to ${run.robot.name}`, () => connection?.close());
      await renewRobotLock(run);
      if (oldTunnel) {
        tunnel = await openReadyTunnel(ctx, run, run.tunnelIfAny?.port, Math.max(1000, deadline - Date.now()));
        const reopened = tunnel;
        run.tunnel = { ...reopened, bytesToRobot: () => sentBefore + reopened.bytesToRobot() };
      }
      return;
    } catch (error) {
      lastError = (error as Error).message;
      // A half-made attempt (connected, but the registry did not answer) must not keep its listener or link.
      await tunnel?.close();
      connection?.close();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(
    `the link to ${run.robot.name} dropped during ${what} and did not come back within ${ctx.config.reconnectSeconds} s (last attempt: ${lastError}); the robot's image was not changed`,
  );
}
