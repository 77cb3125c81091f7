// ProxyCommand runs without sh on Windows, as Windows' OpenSSH runs it (issue 23, finding 6).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { openProxyCommand, proxyLaunch, quoteWindowsArg } from '../../../scripts/lib/ssh/proxy-command.ts';
import { tempDir } from '../../support/cli.ts';

test('Linux and macOS: sh -c "exec …" with %h %p %r shell-quoted; Windows: the program and the rest of the line, as written', () => {
  assert.deepEqual(proxyLaunch('ssh -W %h:%p %r@gateway %%', 'robot 1', 22, 'nuc', 'linux'), {
    argv: ['sh', '-c', "exec ssh -W 'robot 1':22 nuc@gateway %"],
    verbatim: false,
  });
  assert.deepEqual(proxyLaunch('ssh -W %h:%p gateway', 'robot1.lan', 2222, 'nuc', 'win32'), {
    argv: ['ssh', '-W robot1.lan:2222 gateway'],
    verbatim: true,
  });
  assert.deepEqual(proxyLaunch('"C:\\Program Files\\Git\\usr\\bin\\ssh.exe" -W %h:%p gw', 'r1', 22, 'nuc', 'win32').argv, [
    'C:\\Program Files\\Git\\usr\\bin\\ssh.exe',
    '-W r1:22 gw',
  ]);
  assert.deepEqual(proxyLaunch('nc %h %p', 'r1', 22, 'nuc', 'win32').argv, ['nc', 'r1 22']);
});

test('Windows command-line quoting: as CommandLineToArgvW splits it back', () => {
  assert.equal(quoteWindowsArg('robot1'), 'robot1');
  assert.equal(quoteWindowsArg('a b'), '"a b"');
  assert.equal(quoteWindowsArg('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteWindowsArg('C:\\dir with space\\'), '"C:\\dir with space\\\\"');
  assert.equal(quoteWindowsArg(''), '""');
});

test('a ProxyCommand carries the session both ways, started with no shell on Windows', async (t) => {
  const echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  t.after(() => echo.close());
  const relay = join(tempDir('rd-proxy-'), 'relay.cjs');
  writeFileSync(
    relay,
    "const s = require('node:net').connect(Number(process.argv[3]), process.argv[2]);\nprocess.stdin.pipe(s);\ns.pipe(process.stdout);\n",
  );
  const transport = openProxyCommand(`"${process.execPath}" "${relay}" %h %p`, '127.0.0.1', (echo.address() as AddressInfo).port, 'nuc');
  t.after(() => transport.close());
  const answer = new Promise<string>((resolve, reject) => {
    transport.sock.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    transport.sock.once('error', reject);
  });
  transport.sock.write('ping');
  assert.equal(await answer, 'ping');
});
