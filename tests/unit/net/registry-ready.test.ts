import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { waitForRegistry } from '../../../scripts/lib/net/registry-ready.ts';

async function registry(answer: RequestListener, port = 0): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A loopback port that nothing listens on (just now). */
async function freePort(): Promise<number> {
  const { server, port } = await registry(() => undefined);
  await stop(server);
  return port;
}

test('a registry that answers GET /v2/ with 200 is ready at the first request', { timeout: 10_000 }, async () => {
  const { server, port, requests } = await registry((req, res) => res.writeHead(req.url === '/v2/' ? 200 : 404).end('{}'));
  try {
    await waitForRegistry(port, 5000);
    assert.deepEqual(requests, ['GET /v2/']);
  } finally {
    await stop(server);
  }
});

test('a registry that asks for authentication (401) is up too', { timeout: 10_000 }, async () => {
  const { server, port } = await registry((_req, res) => res.writeHead(401).end());
  try {
    await waitForRegistry(port, 5000);
  } finally {
    await stop(server);
  }
});

test('a registry not ready yet (a dropped connection, then 503) is asked again until it answers', { timeout: 10_000 }, async () => {
  let asked = 0;
  const { server, port, requests } = await registry((req, res) => {
    asked += 1;
    if (asked === 1) return void req.socket.destroy();
    res.writeHead(asked === 2 ? 503 : 200).end();
  });
  try {
    await waitForRegistry(port, 8000);
    assert.deepEqual(requests, ['GET /v2/', 'GET /v2/', 'GET /v2/']);
  } finally {
    await stop(server);
  }
});

test('something that answers, but not as a registry, is waited for until the deadline, then named in the error', {
  timeout: 10_000,
}, async () => {
  const { server, port, requests } = await registry((_req, res) => res.writeHead(404).end('not a registry'));
  try {
    await assert.rejects(
      waitForRegistry(port, 300),
      new RegExp(`^Error: the robot's registry did not answer GET /v2/ through the tunnel on 127\\.0\\.0\\.1:${port} within \\d+ s$`),
    );
    assert.ok(requests.length > 1, 'it asked again before giving up');
    assert.ok(requests.every((request) => request === 'GET /v2/'));
  } finally {
    await stop(server);
  }
});

test('nothing listening at all also ends at the deadline', { timeout: 10_000 }, async () => {
  const port = await freePort();
  await assert.rejects(waitForRegistry(port, 200), /did not answer GET \/v2\//);
});

test('an abort ends the wait with its reason; an aborted signal asks nothing', { timeout: 10_000 }, async () => {
  const { server, port, requests } = await registry((_req, res) => res.writeHead(503).end());
  try {
    const reason = new Error('Ctrl-C');
    await assert.rejects(waitForRegistry(port, 60_000, AbortSignal.abort(reason)), (error) => error === reason);
    assert.deepEqual(requests, []);
    const controller = new AbortController();
    const waited = waitForRegistry(port, 60_000, controller.signal);
    while (requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(reason);
    await assert.rejects(waited, (error) => error === reason);
  } finally {
    await stop(server);
  }
});
