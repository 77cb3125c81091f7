import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RegistryClient } from '../../../scripts/lib/net/registry-client.ts';
import { uploadLayerFile } from '../../../scripts/lib/push/layer-upload.ts';

// A registry that takes the upload's POST and never answers: the link went quiet before the layer's bytes.
let server: Server;
let port = 0;
let posts = 0;
const dir = mkdtempSync(join(tmpdir(), 'rd-layer-upload-'));
before(async () => {
  server = createServer(() => (posts += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a link lost before the layer streams fails the upload with the reason, not the process', async () => {
  const file = join(dir, 'layer.tar');
  writeFileSync(file, Buffer.alloc(256 * 1024, 7));
  const client = new RegistryClient(() => port, 'rd-test');
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const lost = new AbortController();
    const upload = uploadLayerFile(client, file, 1, lost.signal);
    while (!posts) await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new Error('SSH connection lost');
    lost.abort(reason);
    await assert.rejects(upload, (error) => error === reason);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
    client.close();
  }
});
