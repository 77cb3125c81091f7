import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, test } from 'node:test';
import { candidatePorts, chooseLocalPort } from '../../../scripts/lib/net/local-port.ts';

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

function occupy(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => {
      servers.push(server);
      resolve(true);
    });
  });
}

test('linux: the configured port when it is free', async () => {
  const free = await chooseLocalPort(47310, 'linux');
  assert.equal(free, 47310);
});

test('linux: the configured port taken → the next free one above it', async () => {
  assert.ok(await occupy(47320));
  const port = await chooseLocalPort(47320, 'linux');
  assert.notEqual(port, 47320);
  assert.ok(port > 47320 && port <= 47330, `got ${port}`);
});

test('linux: 5000 taken (by us or anyone) → another port', async () => {
  await occupy(5000);
  const port = await chooseLocalPort(5000, 'linux');
  assert.notEqual(port, 5000);
  assert.ok(await occupy(port), 'the chosen port can be bound');
});

test('darwin: never 5000 or 7000 (AirPlay), even when configured', async () => {
  for (let i = 0; i < 5; i++) {
    assert.ok(![5000, 7000].includes(await chooseLocalPort(5000, 'darwin')));
    assert.ok(![5000, 7000].includes(await chooseLocalPort(6999, 'darwin')));
    assert.ok(![5000, 7000].includes(await chooseLocalPort(7000, 'darwin')));
  }
});

test('candidate ports skip AirPlay ports on darwin only', () => {
  assert.deepEqual(candidatePorts(5000, 'linux').slice(0, 2), [5000, 5001]);
  assert.deepEqual(candidatePorts(5000, 'darwin').slice(0, 2), [5001, 5002]);
  assert.ok(!candidatePorts(6995, 'darwin').includes(7000));
});

test('the whole range taken → a random free port, still on loopback', async () => {
  for (let p = 47340; p <= 47350; p++) await occupy(p);
  const port = await chooseLocalPort(47340, 'linux');
  assert.ok(port < 47340 || port > 47350, `got ${port}`);
  assert.ok(await occupy(port), 'the chosen port can be bound');
});
