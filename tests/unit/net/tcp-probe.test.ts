import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { tcpProbe } from '../../../scripts/lib/net/tcp-probe.ts';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

test('a port something listens on is reachable, and the probe closes its connection', { timeout: 10_000 }, async () => {
  const closed: Promise<void>[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket: Socket) => {
    sockets.push(socket);
    closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
    socket.on('error', () => undefined);
  });
  const port = await listen(server);
  try {
    assert.equal(await tcpProbe('127.0.0.1', port), undefined);
    while (closed.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // Bounded, so a probe that leaves its connection open fails here instead of hanging the run.
    const waited = new AbortController();
    const gone = await Promise.race([
      Promise.all(closed).then(() => true),
      delay(5000, false, { signal: waited.signal }).catch(() => false),
    ]);
    waited.abort();
    assert.ok(gone, 'the probe left its connection open');
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

test('a port nothing listens on is refused, saying nothing listens on the SSH port', { timeout: 10_000 }, async () => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  assert.equal(await tcpProbe('127.0.0.1', port), 'connection refused: nothing listens on the SSH port');
});
