import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { pushRouteRow } from '../../../scripts/lib/doctor/push-route-row.ts';
import type { CommandResult, Runner } from '../../../scripts/lib/runner/runner.ts';

const TLS_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
const HTTP_GET = Buffer.from('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');

/** Sends `first` to the loopback port the probe's pull names, and waits for the probe to close the connection. */
function dial(port: number, first: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    socket.on('data', () => undefined);
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

interface Engine {
  /** What the engine does with the probe's pull: dial the port with these bytes, or never arrive (a VM). */
  speaks?: Buffer;
  /** `docker container inspect` of the laptop registry: its output, or absent (exit 1). */
  registryContainer?: string;
  /** `docker image inspect registry:2` succeeds. */
  registryImage?: boolean;
}

/** A laptop engine as doctor meets it, recording every command it is asked to run. */
function engine(behaviour: Engine): Runner & { commands: string[][] } {
  const commands: string[][] = [];
  return {
    where: 'laptop',
    commands,
    async run(argv): Promise<CommandResult> {
      commands.push([...argv]);
      const failed = { code: 1, stdout: '', stderr: 'Error: No such object' };
      if (argv.includes('pull')) {
        const port = Number(/^127\.0\.0\.1:(\d+)\//.exec(argv.at(-1) ?? '')?.[1]);
        if (behaviour.speaks) await dial(port, behaviour.speaks);
        return { code: 1, stdout: '', stderr: 'pull failed' };
      }
      if (argv[1] === 'container' && argv[2] === 'inspect')
        return behaviour.registryContainer === undefined ? failed : { code: 0, stdout: `${behaviour.registryContainer}\n`, stderr: '' };
      if (argv[1] === 'image' && argv[2] === 'inspect')
        return behaviour.registryImage ? { code: 0, stdout: 'sha256:1\n', stderr: '' } : failed;
      return failed;
    },
  };
}

/** doctor only looks: nothing it asks the engine may start, run, create or remove anything. */
function assertReadOnly(commands: string[][]): void {
  for (const argv of commands) {
    assert.ok(!argv.some((arg) => ['run', 'start', 'create', 'rm', 'push', 'tag'].includes(arg)), `doctor ran ${argv.join(' ')}`);
  }
}

test('an engine that speaks plain HTTP to the laptop loopback: ok, docker push through the tunnel', async () => {
  const laptop = engine({ speaks: HTTP_GET });
  const row = await pushRouteRow(laptop);
  assert.equal(row.scope, 'laptop');
  assert.equal(row.check, 'push route');
  assert.equal(row.verdict, 'ok');
  assert.match(row.detail, /^docker push through the tunnel/);
  assert.equal(row.fix, undefined);
  assertReadOnly(laptop.commands);
});

test('an engine that speaks only HTTPS to loopback (Podman): ok, robot-deploy uploads the layers itself', async () => {
  const laptop = engine({ speaks: TLS_HELLO });
  const row = await pushRouteRow(laptop);
  assert.equal(row.verdict, 'ok');
  assert.match(row.detail, /^robot-deploy uploads the layers itself/);
  assertReadOnly(laptop.commands);
});

test("an engine in a VM with the laptop registry running: ok, staged through the registry's published loopback port", async () => {
  const laptop = engine({ registryContainer: 'running 127.0.0.1:5050' });
  const row = await pushRouteRow(laptop);
  assert.equal(row.verdict, 'ok');
  assert.match(row.detail, /^staged: the engine's 127\.0\.0\.1 is not the laptop's/);
  assert.match(row.detail, /\(127\.0\.0\.1:5050\)/);
  assertReadOnly(laptop.commands);
});

test('an engine in a VM whose laptop registry is stopped, not published on loopback, or only an image: ok, the next deploy starts it', async () => {
  for (const behaviour of [{ registryContainer: 'exited' }, { registryContainer: 'running 0.0.0.0:5050' }, { registryImage: true }]) {
    const laptop = engine(behaviour);
    const row = await pushRouteRow(laptop);
    assert.equal(row.verdict, 'ok', JSON.stringify(behaviour));
    assert.match(row.detail, /^staged: .*the next deploy starts robot-deploy-laptop-registry in it/, JSON.stringify(behaviour));
    assertReadOnly(laptop.commands);
  }
});

test('an engine in a VM without a registry:2 image: a warning that docker save reads the whole image, and the fix', async () => {
  const laptop = engine({});
  const row = await pushRouteRow(laptop);
  assert.equal(row.verdict, 'warn');
  assert.match(row.detail, /^upload with docker save: .*no registry:2 image/);
  assert.equal(row.fix, 'docker pull registry:2 once, while online');
  assertReadOnly(laptop.commands);
});
