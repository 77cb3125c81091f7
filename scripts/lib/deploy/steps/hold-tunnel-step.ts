import type { DeployContext, RobotRun } from '../context.ts';

/**
 * tunnel.ts: the tunnel takes connections until Ctrl-C (which closes it through the teardown), or
 * until `idleMinutes` pass without a byte through it: a forgotten tunnel does not stay open for days.
 */
export async function holdTunnel(ctx: DeployContext, run: RobotRun, task: { output: string }, idleMinutes = 10): Promise<string> {
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
