import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { probeEngineReach } from '../../../scripts/lib/net/engine-reach.ts';
import { choosePushRoute } from '../../../scripts/lib/push/push-route.ts';
import type { CommandResult, Runner } from '../../../scripts/lib/runner/runner.ts';

const TLS_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
const HTTP_GET = Buffer.from('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');

/** Sends `first` to the port named in the pull's reference and returns the first bytes of the answer. */
function dial(port: number, first: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
}

/** An engine as the probe meets it: `behave` gets the port its pull was told to dial. It has no container and no registry:2. */
function engine(behave: (port: number) => Promise<void>): Runner {
  return {
    where: 'laptop',
    async run(argv): Promise<CommandResult> {
      if (argv[2] !== 'pull') return { code: 1, stdout: '', stderr: 'No such object' };
      const port = Number(/^127\.0\.0\.1:(\d+)\//.exec(argv.at(-1) ?? '')?.[1]);
      await behave(port);
      return { code: 1, stdout: '', stderr: 'pull failed' };
    },
  };
}

test('engine reach: an engine on the laptop network that speaks plain HTTP to loopback takes docker push', async () => {
  let answer = '';
  const reach = await probeEngineReach(
    engine(async (port) => {
      answer = await dial(port, HTTP_GET);
    }),
  );
  assert.equal(reach, 'plain-http');
  assert.match(answer, /^HTTP\/1\.1 404/);
  assert.equal(
    (
      await choosePushRoute(
        engine(async (port) => void (await dial(port, HTTP_GET))),
        undefined,
        '',
      )
    ).kind,
    'docker push',
  );
});

test('engine reach: HTTPS first, then plain HTTP after the registry answers in plain text (dockerd with the containerd store)', async () => {
  let first = '';
  const reach = await probeEngineReach(
    engine(async (port) => {
      first = await dial(port, TLS_HELLO);
      if (first.startsWith('HTTP/')) await dial(port, HTTP_GET);
    }),
  );
  assert.match(first, /^HTTP\/1\.0 400/, 'a TLS hello gets the plain answer that makes Go clients fall back');
  assert.equal(reach, 'plain-http');
});

test('engine reach: only HTTPS (Podman), or never arriving (a VM, a remote engine), is not docker push', async () => {
  const podman = engine(async (port) => void (await dial(port, TLS_HELLO)));
  assert.equal(await probeEngineReach(podman), 'https-only');
  assert.equal((await choosePushRoute(podman, undefined, '')).kind, 'upload');
  const vm = engine(async () => undefined);
  assert.equal(await probeEngineReach(vm), 'elsewhere');
  const route = await choosePushRoute(vm, undefined, '');
  assert.equal(route.kind, 'upload', 'without registry:2 in the engine there is no registry of its own to stage in');
  assert.match(route.why, /no registry:2 image/);
  assert.equal(route.registryHost, 'host.docker.internal');
});

test('push route: RD_PUSH_ROUTE overrides what the engine showed, and anything else is refused by name', async () => {
  const native = engine(async (port) => void (await dial(port, HTTP_GET)));
  assert.equal((await choosePushRoute(native, undefined, 'upload')).kind, 'upload');
  assert.equal(
    (
      await choosePushRoute(
        engine(async () => undefined),
        undefined,
        'docker-push',
      )
    ).kind,
    'docker push',
  );
  await assert.rejects(choosePushRoute(native, undefined, 'scp'), /RD_PUSH_ROUTE=scp: use docker-push, staged or upload/);
});
