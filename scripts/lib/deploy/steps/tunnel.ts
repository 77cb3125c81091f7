import { chooseLocalPort } from '../../net/local-port.ts';
import type { RobotStep } from '../robot-step.ts';

/** The post's step 3: laptop 127.0.0.1:<free port> → robot 127.0.0.1:<registry port>, ready when /v2/ answers. */
export const tunnel: RobotStep = {
  title: 'tunnel',
  shipsImages: true,
  async run(_ctx, run) {
    const remotePort = run.registryPort;
    const [kept, early] = [run.link.tunnelIfAny?.isOpen() && !run.link.openingEarly, run.link.openingEarly];
    const opened = await run.link.tunnelTo(remotePort);
    const moved = opened.port !== run.robot.registryPort ? ` (${run.robot.registryPort} was taken)` : '';
    const how = kept ? 'kept open' : `registry answers${early ? ' (opened while building)' : ''}`;
    return `127.0.0.1:${opened.port}${moved} → ${run.robot.name}:127.0.0.1:${remotePort}, ${how}`;
  },
  // The laptop port the tunnel would take; the stand-in counts no bytes and takes no connections.
  async dryRun(_ctx, run) {
    const port = await chooseLocalPort(run.robot.registryPort);
    run.link.tunnelStandIn = {
      port,
      bytesToRobot: () => 0,
      use: (work) => work(),
      refused: () => 0,
      isOpen: () => false,
      close: async () => undefined,
    };
    return `would forward 127.0.0.1:${port} → ${run.robot.name}:127.0.0.1:${run.registryPort}`;
  },
};

/**
 * tunnel.ts's own step, the post's `ssh -N -L`: the tunnel takes connections until Ctrl-C (which closes
 * it through the teardown), or until `idleMinutes` pass without a byte: a forgotten tunnel does not stay open for days.
 */
export const holdTunnelFor = (idleMinutes: number): RobotStep => ({
  title: 'hold tunnel',
  async run(ctx, run, show) {
    const open = run.link.tunnel;
    show(
      `push with: docker push 127.0.0.1:${open.port}/${ctx.config.image}:<workspace> — Ctrl-C closes the tunnel; ${idleMinutes} min without traffic too`,
    );
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<'idle'>((resolve) => {
      let [last, quietSince] = [open.bytesToRobot(), Date.now()];
      timer = setInterval(() => {
        const now = open.bytesToRobot();
        if (now !== last) [last, quietSince] = [now, Date.now()];
        else if (Date.now() - quietSince >= idleMinutes * 60_000) resolve('idle');
      }, 1000);
    });
    const aborted = new Promise<undefined>((resolve) => ctx.signal.addEventListener('abort', () => resolve(undefined)));
    const lost = (run.link.closed ?? new Promise(() => undefined)).then((error) => error ?? new Error('connection closed'));
    try {
      const ended = await open.use(() => Promise.race([lost, aborted, idle]));
      if (ended instanceof Error) throw new Error(`the SSH connection to ${run.robot.name} dropped: ${ended.message}`);
      return ended === 'idle' ? `closed after ${idleMinutes} min without traffic` : 'closed';
    } finally {
      clearInterval(timer);
    }
  },
  async dryRun() {
    return 'would stay open until Ctrl-C';
  },
});

export const holdTunnel = holdTunnelFor(10);
