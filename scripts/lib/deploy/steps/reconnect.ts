import { connectRobot } from '../../ssh/connect.ts';
import type { DeployContext, RobotRun } from '../context.ts';
import { openReadyTunnel } from './tunnel-step.ts';

/**
 * Runs one attempt of a step that needs the link (push, pull). When the SSH connection drops
 * (keepalives notice a dead Wi-Fi link within seconds), the attempt is stopped, the robot is
 * reconnected and the tunnel reopened, and the attempt runs again — the registry keeps the
 * layers that were finished. After RECONNECT_SECONDS without a link, the step fails; the robot's
 * IMAGE:WS has not moved, since tags only move after a complete pull.
 */
export async function withReconnect<T>(ctx: DeployContext, run: RobotRun, what: string, attempt: (signal: AbortSignal) => Promise<T>, report: (text: string) => void): Promise<T> {
  let lostSince: number | undefined;
  for (;;) {
    const connection = run.connection;
    if (!connection) return attempt(ctx.signal);
    const lost = new AbortController();
    void connection.closed.then(() => lost.abort(new Error('SSH connection lost')));
    try {
      return await attempt(AbortSignal.any([ctx.signal, lost.signal]));
    } catch (error) {
      if (ctx.signal.aborted || !connection.isClosed()) throw error;
      lostSince ??= Date.now();
      report(`link to ${run.robot.name} lost during ${what}; reconnecting (up to ${ctx.config.reconnectSeconds} s)`);
      await reconnect(ctx, run, lostSince + ctx.config.reconnectSeconds * 1000, what);
      report(`reconnected to ${run.robot.name}; resuming ${what}`);
    }
  }
}

async function reconnect(ctx: DeployContext, run: RobotRun, deadline: number, what: string): Promise<void> {
  await run.tunnel?.close();
  run.connection?.close();
  const sentBefore = run.tunnel?.bytesToRobot() ?? 0;
  let lastError = 'no attempt';
  while (Date.now() < deadline) {
    ctx.signal.throwIfAborted();
    try {
      const connection = await connectRobot(run.robot, { knownHosts: ctx.knownHosts, timeoutMs: Math.min(5000, Math.max(1000, deadline - Date.now())) });
      run.connection = connection;
      run.runner = connection.runner;
      ctx.teardown.add(`SSH connection to ${run.robot.name}`, () => connection.close());
      const tunnel = await openReadyTunnel(ctx, run, run.tunnel?.port, Math.max(1000, deadline - Date.now()));
      run.tunnel = { ...tunnel, bytesToRobot: () => sentBefore + tunnel.bytesToRobot() };
      return;
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(`the link to ${run.robot.name} dropped during ${what} and did not come back within ${ctx.config.reconnectSeconds} s (last attempt: ${lastError}); the robot's image was not changed`);
}
