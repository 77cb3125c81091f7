import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { holdTunnelFor } from '../../../scripts/lib/deploy/steps/tunnel.ts';
import { openTunnel } from '../../../scripts/lib/ssh/tunnel.ts';

test('the tunnel refuses connections while nothing uses it, and forwards while something does', async () => {
  const forwarded: number[] = [];
  // Only the forwarding call is needed: a connection that reaches it counts as let through.
  const client = { forwardOut: (_h: string, _p: number, _rh: string, port: number) => forwarded.push(port) };
  const tunnel = await openTunnel(client as never, 5000, 5900);
  const knock = () =>
    new Promise<void>((resolve) => {
      const socket = connect(tunnel.port, '127.0.0.1');
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 300);
    });
  await knock();
  assert.equal(tunnel.refused(), 1);
  assert.deepEqual(forwarded, []);
  await tunnel.use(knock);
  assert.deepEqual(forwarded, [5000], 'forwarded while in use');
  await tunnel.close();
});

test('tunnel.ts closes a tunnel that carried nothing for its idle time', async () => {
  const tunnel = {
    port: 5001,
    bytesToRobot: () => 0,
    use: <T>(work: () => Promise<T>) => work(),
    refused: () => 0,
    close: async () => undefined,
  };
  const run = { link: { tunnel, closed: new Promise(() => undefined) }, robot: { name: 'r1' } };
  const ctx = { signal: new AbortController().signal, config: { image: 'app' } };
  const started = Date.now();
  const outcome = await holdTunnelFor(0.02).run(ctx as never, run as never, () => undefined);
  assert.equal(outcome, 'closed after 0.02 min without traffic');
  assert.ok(Date.now() - started < 5000);
});
