import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { RegistryClient } from '../../../scripts/lib/net/registry-client.ts';

// A registry that takes the upload's POST and never answers: a link gone quiet mid-push.
let server: Server;
let port = 0;
const uploads: string[] = [];
before(async () => {
  server = createServer((req) => uploads.push(`${req.method} ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test('an abort during an upload ends the request with the reason, and the unread body raises no uncaught error', async () => {
  const client = new RegistryClient(() => port, 'rd-test');
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const body = new PassThrough();
    body.on('error', () => undefined);
    const controller = new AbortController();
    const upload = client.uploadStream(body, () => 'sha256:0', controller.signal);
    while (!uploads.length) await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new Error('SSH connection lost');
    controller.abort(reason);
    await assert.rejects(upload, (error) => error === reason);
    assert.deepEqual(uploads, ['POST /v2/rd-test/blobs/uploads/']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
    client.close();
  }
});

test('an upload started after the abort sends nothing', async () => {
  const client = new RegistryClient(() => port, 'rd-test');
  const before = uploads.length;
  const reason = new Error('stopped');
  await assert.rejects(
    client.uploadStream(new PassThrough(), () => 'sha256:0', AbortSignal.abort(reason)),
    (error) => error === reason,
  );
  assert.equal(uploads.length, before);
  client.close();
});
