// Unit tests can reach nothing off this machine (issue 23, finding 7): tests/run.ts preloads the guard into them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../../support/cli.ts';

const GUARD = join(REPO, 'tests', 'support', 'loopback-only.cjs');

/** Where a connection attempt ends up, in a node process with the guard preloaded. */
function dial(target: string): string {
  const script = `const net = require('node:net');
const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1', () => {
  const [host, port] = ${JSON.stringify(target)}.replace('LOCAL', '127.0.0.1:' + server.address().port).split(/:(?=\\d+$)/);
  const socket = net.connect({ host, port: Number(port) });
  socket.on('connect', () => { console.log('connected'); process.exit(0); });
  socket.on('error', (error) => { console.log(error.code + ' ' + error.message); process.exit(0); });
});`;
  const result = spawnSync(process.execPath, ['--require', GUARD, '-e', script], { encoding: 'utf8', timeout: 10_000 });
  return result.stdout.trim();
}

test('the guard refuses an address off the machine at once, naming it, and lets loopback through', () => {
  assert.equal(
    dial('192.0.2.64:22'),
    'EACCES unit tests reach only this machine: connect to 192.0.2.64:22 refused (tests/support/loopback-only.cjs)',
  );
  assert.match(dial('jetson.local:22'), /^EACCES .*connect to jetson\.local:22 refused/);
  assert.equal(dial('LOCAL'), 'connected');
});

test('this unit run has the guard: tests/run.ts puts it in NODE_OPTIONS for the suite and whatever it starts', () => {
  assert.ok(
    (globalThis as { __rdLoopbackOnly?: boolean }).__rdLoopbackOnly,
    'run the unit suite through tests/run.ts (npx tsx tests/run.ts unit), which preloads tests/support/loopback-only.cjs',
  );
});
