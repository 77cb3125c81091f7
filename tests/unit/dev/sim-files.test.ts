import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'dotenv';
import { parseLdd } from '../../../scripts/dev/sim/images.ts';
import { formatRobotsEnv } from '../../../scripts/dev/sim/robots-env.ts';
import { makeWorkspace, workspaceDockerfile } from '../../../scripts/dev/sim/workspace.ts';

test('robots.env follows the deploy tool contract and parses with dotenv', () => {
  const text = formatRobotsEnv({
    image: 'robot-deploy-demo',
    context: '/var/tmp/robot-deploy-sim/workspace',
    workspaces: ['demo'],
    platform: 'linux/amd64',
    sshKey: '/var/tmp/robot-deploy-sim/client_ed25519',
    registryPort: 5000,
    robots: [
      { name: 'sim1', address: '10.77.1.2' },
      { name: 'arm-2', address: '10.77.2.2' },
    ],
    extra: { NOTE: 'has # hash' },
  });
  assert.equal(
    text,
    [
      '# Simulated robots written by scripts/dev/sim-robot.ts env',
      'IMAGE=robot-deploy-demo',
      'CONTEXT=/var/tmp/robot-deploy-sim/workspace',
      'WORKSPACES=demo',
      'PLATFORM=linux/amd64',
      'SSH_KEY=/var/tmp/robot-deploy-sim/client_ed25519',
      'REGISTRY_PORT=5000',
      'SIM1_HOST=rdsim@10.77.1.2',
      'ARM_2_HOST=rdsim@10.77.2.2',
      'NOTE="has # hash"',
      '',
    ].join('\n'),
  );
  assert.equal(parse(text).NOTE, 'has # hash');
  assert.equal(parse(text).ARM_2_HOST, 'rdsim@10.77.2.2');
});

test('robots.env refuses keys and values that would not round-trip', () => {
  const base = {
    image: 'i',
    context: '/c',
    workspaces: ['demo'],
    platform: 'linux/amd64',
    sshKey: '/k',
    registryPort: 5000,
    robots: [],
  };
  assert.throws(() => formatRobotsEnv({ ...base, extra: { 'BAD-KEY': 'x' } }), /invalid robots.env key/);
  assert.throws(() => formatRobotsEnv({ ...base, extra: { OK: 'a\nb' } }), /spans lines/);
});

test('parseLdd keeps absolute library paths and the loader, not the vdso', () => {
  const out = [
    '\tlinux-vdso.so.1 (0x00007ffd0b5f4000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f8836397000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f883658c000)',
  ].join('\n');
  assert.deepEqual(parseLdd(out), ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  assert.deepEqual(parseLdd('\tnot a dynamic executable\n'), []);
});

test('generated workspaces put a random base layer under a one-line top layer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sim-ws-'));
  try {
    const ws = await makeWorkspace(dir, { baseSizeMiB: 150 });
    assert.equal(ws.context, dir);
    assert.equal(ws.dockerfile, join(dir, 'demo', 'Dockerfile'));
    const dockerfile = await readFile(ws.dockerfile, 'utf8');
    const lines = dockerfile.trim().split('\n');
    assert.equal(lines[0], 'FROM robot-deploy-sim/busybox:latest');
    assert.match(lines[1] ?? '', /^RUN dd if=\/dev\/urandom of=\/base.bin bs=1048576 count=150 /);
    assert.equal(lines[2], 'COPY demo/top.txt /top.txt');
    await ws.setTop('version 2');
    assert.equal(await readFile(ws.topFile, 'utf8'), 'version 2\n');

    const small = await makeWorkspace(dir, { name: 'small' });
    assert.doesNotMatch(await readFile(small.dockerfile, 'utf8'), /RUN/);
    assert.notEqual(workspaceDockerfile('a', [1]), workspaceDockerfile('a', [1]), 'each workspace gets its own base layer');
    const layered = (await readFile((await makeWorkspace(dir, { name: 'layered', layersMiB: [4, 4, 4] })).dockerfile, 'utf8')).split('\n');
    assert.deepEqual(
      layered.filter((line) => line.startsWith('RUN')).map((line) => / of=\/(\S+) bs=1048576 count=(\d+) /.exec(line)?.slice(1).join(' ')),
      ['base.bin 4', 'layer1.bin 4', 'layer2.bin 4'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
