import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isVmLaptop, osRelease, parseLaptopEngine } from '../../../scripts/dev/sim/laptop-engines.ts';
import { EXPOSE_PORT } from '../../../scripts/dev/sim/laptop-vm-files.ts';
import { vmLaptopLayout } from '../../../scripts/dev/sim/names.ts';
import { answerQuery, encodeQuery, parseQuestion } from '../../../scripts/dev/sim/vm-dns.ts';
import { posixOnly } from '../../support/skip.ts';

const hosts = new Map([['host.docker.internal', '10.77.255.1']]);

test('the VM DNS answers a known name with its address, echoing id and question', () => {
  const answer = answerQuery(encodeQuery(0x1234, 'Host.Docker.Internal'), hosts);
  assert.ok(answer);
  assert.equal(answer.readUInt16BE(0), 0x1234);
  const flags = answer.readUInt16BE(2);
  assert.equal(flags & 0x8000, 0x8000, 'a response');
  assert.equal(flags & 0x000f, 0, 'NOERROR');
  assert.equal(flags & 0x0100, 0x0100, 'recursion desired is echoed');
  assert.equal(answer.readUInt16BE(6), 1, 'one answer');
  assert.equal(parseQuestion(answer)?.name, 'host.docker.internal');
  assert.deepEqual([...answer.subarray(answer.length - 4)], [10, 77, 255, 1]);
});

test('the VM DNS: NXDOMAIN for other names, no records for other types, silence for responses and garbage', () => {
  const unknown = answerQuery(encodeQuery(1, 'registry-1.docker.io'), hosts);
  assert.equal((unknown?.readUInt16BE(2) ?? 0) & 0x000f, 3);
  assert.equal(unknown?.readUInt16BE(6), 0);
  const aaaa = answerQuery(encodeQuery(2, 'host.docker.internal', 28), hosts);
  assert.equal((aaaa?.readUInt16BE(2) ?? 1) & 0x000f, 0);
  assert.equal(aaaa?.readUInt16BE(6), 0, 'AAAA: no error and no records, so the A answer stands');
  const response = encodeQuery(3, 'host.docker.internal');
  response.writeUInt16BE(0x8100, 2);
  assert.equal(answerQuery(response, hosts), undefined);
  assert.equal(answerQuery(Buffer.from([1, 2, 3]), hosts), undefined);
  assert.equal(answerQuery(Buffer.concat([encodeQuery(4, 'a').subarray(0, 12), Buffer.from([70, 1])]), hosts), undefined);
});

test('the laptop VM layout: its own netns (never a robot name), veth pair and the last /24', () => {
  assert.deepEqual(vmLaptopLayout('rdsim', '10.77'), {
    netns: 'rdsim-laptop.vm',
    hostVeth: 'rdsimvmh',
    guestVeth: 'rdsimvmg',
    hostAddress: '10.77.255.1',
    guestAddress: '10.77.255.2',
    id: 'rdsim-laptop-vm',
  });
  assert.throws(() => vmLaptopLayout('abcdefghijklm', '10.77'), /too long for the laptop VM's interface/);
  assert.throws(() => vmLaptopLayout('rd1', '10.77'), /invalid sim prefix/);
});

test('laptop engines: the four kinds, and which run in a VM', () => {
  for (const kind of ['docker20', 'docker26', 'desktop', 'colima']) assert.equal(parseLaptopEngine(kind), kind);
  assert.throws(() => parseLaptopEngine('podman'), /unknown laptop engine "podman": use docker20, docker26, desktop, colima/);
  assert.deepEqual(
    ['docker20', 'docker26', 'desktop', 'colima'].map((kind) => isVmLaptop(parseLaptopEngine(kind))),
    [false, false, true, true],
  );
  assert.match(osRelease('desktop'), /^PRETTY_NAME="Docker Desktop"$/m);
  assert.match(osRelease('colima'), /^PRETTY_NAME="Ubuntu 24.04 LTS"$/m);
});

/** Runs EXPOSE_PORT as dockerd would, with a stand-in docker-proxy, and an answer already waiting. */
function runExposePort(args: string[], answer?: string): { status: number | null; fd3: string; spool: string[]; proxied: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sim-expose-'));
  try {
    mkdirSync(join(dir, 'spool'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'expose-port'), EXPOSE_PORT);
    chmodSync(join(dir, 'expose-port'), 0o755);
    writeFileSync(join(dir, 'bin', 'docker-proxy'), `#!/bin/sh\necho "$@" > "${dir}/proxied"\n`);
    chmodSync(join(dir, 'bin', 'docker-proxy'), 0o755);
    // The host agent's part: answer the request as soon as it appears.
    const agent =
      answer === undefined
        ? ''
        : `(while ! ls "${dir}/spool"/*.req >/dev/null 2>&1; do sleep 0.01; done; f=$(ls "${dir}/spool"/*.req); printf '%s' '${answer}' > "\${f%.req}.ans"; mv "$f" "$f.seen") & `;
    if (answer !== undefined) writeFileSync(join(dir, 'expose-sync'), '');
    const script = `${agent}"${dir}/expose-port" "$@" 3>"${dir}/fd3"; status=$?; wait; exit $status`;
    const result = spawnSync('sh', ['-c', script, 'sh', ...args], {
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` },
    });
    const read = (file: string) => {
      try {
        return readFileSync(join(dir, file), 'utf8');
      } catch {
        return '';
      }
    };
    return { status: result.status, fd3: read('fd3'), spool: readdirSync(join(dir, 'spool')), proxied: read('proxied').trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROXY_ARGS = [
  '-proto',
  'tcp',
  '-host-ip',
  '127.0.0.1',
  '-host-port',
  '5000',
  '-container-ip',
  '172.17.0.2',
  '-container-port',
  '5000',
];

test('expose-port: asks for the host port, then becomes docker-proxy with the same arguments', {
  skip: posixOnly('the port exposer is an sh script run by the simulator on Linux'),
}, () => {
  const run = runExposePort(PROXY_ARGS, 'ok');
  assert.equal(run.status, 0);
  assert.equal(run.proxied, PROXY_ARGS.join(' '));
  assert.equal(run.spool.length, 1, run.spool.join(','));
  assert.match(run.spool[0] ?? '', /^\d+\.req\.seen$/, 'the request was made; its answer was consumed');
});

test('expose-port: a refused port fails the start through fd 3, as dockerd reads it, and never starts the proxy', {
  skip: posixOnly('the port exposer is an sh script run by the simulator on Linux'),
}, () => {
  const run = runExposePort(PROXY_ARGS, 'Ports are not available: bind: address already in use');
  assert.equal(run.status, 1);
  assert.equal(run.fd3, '1\nPorts are not available: bind: address already in use');
  assert.equal(run.proxied, '');
});

test('expose-port: without expose-sync (colima) it asks and goes on at once; udp is not forwarded', {
  skip: posixOnly('the port exposer is an sh script run by the simulator on Linux'),
}, () => {
  const tcp = runExposePort(PROXY_ARGS);
  assert.equal(tcp.status, 0);
  assert.equal(tcp.proxied, PROXY_ARGS.join(' '));
  assert.match(tcp.spool.join(','), /^\d+\.req$/);
  const udp = runExposePort(PROXY_ARGS.map((arg) => (arg === 'tcp' ? 'udp' : arg)));
  assert.equal(udp.status, 0);
  assert.deepEqual(udp.spool, []);
});
