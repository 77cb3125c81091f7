// The post's step 3: laptop 127.0.0.1:<port> → the robot's registry. A dry run only picks the laptop port; a real
// run's note says where the tunnel goes and whether it was kept. Nothing here opens an SSH channel.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { RobotRun } from '../../../../scripts/lib/deploy/robot-run.ts';
import { holdTunnel, holdTunnelFor, tunnel } from '../../../../scripts/lib/deploy/steps/tunnel.ts';
import { RobotLink } from '../../../../scripts/lib/link/robot-link.ts';
import type { RobotConnection } from '../../../../scripts/lib/ssh/connect.ts';
import type { Tunnel } from '../../../../scripts/lib/ssh/tunnel.ts';
import { ROBOT_ENV, stepHarness } from '../../../support/deploy-harness.ts';

const listening = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

const standIn = (port: number, open: boolean): Tunnel => ({
  port,
  bytesToRobot: () => 0,
  use: (work) => work(),
  refused: () => 0,
  isOpen: () => open,
  close: async () => undefined,
});

test('a dry run picks a free laptop port, not one in use, and forwards it to the port the registry step found', async (t) => {
  // A port the laptop already uses (here by this test): the tunnel must not claim it.
  const taken = await listening(0);
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const { ctx, run, log } = await stepHarness(`${ROBOT_ENV}ROBOT1_REGISTRY_PORT=${port}\n`);
  run.registryPort = 5007;
  const note = await tunnel.dryRun?.(ctx, run);
  const shown = /^would forward 127\.0\.0\.1:(\d+) → robot1:127\.0\.0\.1:5007$/.exec(note ?? '');
  assert.ok(shown, note);
  assert.notEqual(Number(shown[1]), port);
  assert.equal(run.link.tunnel.port, Number(shown[1]), 'the push goes to the port the note shows');
  assert.equal(run.link.tunnel.isOpen(), false, 'a stand-in takes no connections');
  assert.equal(run.link.tunnel.bytesToRobot(), 0);
  assert.deepEqual(log, []);
});

test('without the registry step the tunnel has nowhere to go: an internal error naming that step', async () => {
  const { ctx, run } = await stepHarness();
  const missing = /internal error: robot1 has no registry port yet; the "registry" step makes it and must run first/;
  await assert.rejects(async () => tunnel.dryRun?.(ctx, run), missing);
  await assert.rejects(
    tunnel.run(ctx, run, () => undefined),
    missing,
  );
});

/** A link whose tunnel is `open` already, and which opens new ones on `port`: the SSH part is not this step's. */
class TunnelLink extends RobotLink {
  asked: number[] = [];
  constructor(
    base: RobotLink,
    private readonly port: number,
    private readonly kept?: Tunnel,
  ) {
    super(base.robot, base.deps);
  }
  override get tunnelIfAny(): Tunnel | undefined {
    return this.kept;
  }
  override async tunnelTo(remotePort: number): Promise<Tunnel> {
    this.asked.push(remotePort);
    return this.kept?.isOpen() ? this.kept : standIn(this.port, true);
  }
}

async function realRun(link: (base: RobotLink) => TunnelLink) {
  const { ctx, run: base } = await stepHarness();
  const tunnelLink = link(base.link);
  const run = new RobotRun(base.robot, base.workspaces, tunnelLink);
  run.registryPort = 5007;
  return { ctx, run, link: tunnelLink };
}

test("a new tunnel goes to the registry's port on the robot; a laptop port other than the configured one is explained", async () => {
  const { ctx, run, link } = await realRun((base) => new TunnelLink(base, 5001));
  assert.equal(await tunnel.run(ctx, run, () => undefined), '127.0.0.1:5001 (5000 was taken) → robot1:127.0.0.1:5007, registry answers');
  assert.deepEqual(link.asked, [5007]);
  const same = await realRun((base) => new TunnelLink(base, 5000));
  assert.equal(await tunnel.run(same.ctx, same.run, () => undefined), '127.0.0.1:5000 → robot1:127.0.0.1:5007, registry answers');
});

test('deploy --watch: a tunnel still open from the last save is kept, and says so', async () => {
  const { ctx, run } = await realRun((base) => new TunnelLink(base, 5001, standIn(5000, true)));
  assert.equal(await tunnel.run(ctx, run, () => undefined), '127.0.0.1:5000 → robot1:127.0.0.1:5007, kept open');
});

test("tunnel.ts's hold step: a dry run says it would stay open, and waits for nothing", async () => {
  const { ctx, run } = await stepHarness();
  assert.equal(await holdTunnel.dryRun?.(ctx, run), 'would stay open until Ctrl-C');
});

/** tunnel.ts's session: an open stand-in tunnel, whose `use` is counted, on a run whose link may drop. */
async function holding(connection?: RobotConnection) {
  const { ctx, run } = await stepHarness();
  const stop = new AbortController();
  let using = 0;
  run.link.tunnelStandIn = {
    ...standIn(5000, true),
    use: (work) => {
      using++;
      return work();
    },
  };
  if (connection) run.link.connected(run.link.runner, connection);
  const shown: string[] = [];
  return { ctx: { ...ctx, signal: stop.signal }, run, stop, shown, show: (text: string) => shown.push(text), using: () => using };
}

test("tunnel.ts's hold step takes connections until Ctrl-C, and tells how to push meanwhile", async () => {
  const { ctx, run, stop, shown, show, using } = await holding();
  const held = holdTunnel.run(ctx, run, show);
  stop.abort();
  assert.equal(await held, 'closed');
  assert.deepEqual(shown, ['push with: docker push 127.0.0.1:5000/app:<workspace> — Ctrl-C closes the tunnel; 10 min without traffic too']);
  assert.equal(using(), 1, 'the tunnel refuses connections outside use()');
});

test("tunnel.ts's hold step fails when the SSH connection drops, with the link's reason", async () => {
  const dropped = Promise.resolve(new Error('no answer to keepalive'));
  const connection = { closed: dropped, isClosed: () => false, close: () => undefined } as unknown as RobotConnection;
  const { ctx, run, show } = await holding(connection);
  await assert.rejects(holdTunnel.run(ctx, run, show), { message: 'the SSH connection to robot1 dropped: no answer to keepalive' });
});

test("tunnel.ts's hold step closes a tunnel that carried nothing for its idle minutes", async () => {
  const { ctx, run, show } = await holding();
  assert.equal(await holdTunnelFor(0).run(ctx, run, show), 'closed after 0 min without traffic');
});
