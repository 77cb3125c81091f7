import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConnectFacts, explainConnectError } from '../../../scripts/lib/ssh/connect-errors.ts';
import type { HostKeyVerdict } from '../../../scripts/lib/ssh/host-keys.ts';

const facts: ConnectFacts = {
  robot: 'robot1',
  address: 'nuc@192.0.2.64:22',
  timeoutMs: 10_000,
  tried: ['ssh-agent', 'key ~/.ssh/id_ed25519'],
  skipped: [],
};
const socket = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const level = (name: string, message = 'x') => Object.assign(new Error(message), { level: name });

test('socket errors name the robot, the address and what to check', () => {
  const cases: [Error, string, RegExp][] = [
    [socket('ENOTFOUND'), 'dns', /robot1 \(nuc@192\.0\.2\.64:22\): the name does not resolve \(DNS\)\. Check the robot's _HOST line/],
    [socket('EAI_AGAIN'), 'dns', /does not resolve/],
    [socket('ECONNREFUSED'), 'refused', /connection refused .* Start sshd on the robot or fix the port/],
    [socket('EHOSTUNREACH'), 'no-route', /no route to the robot/],
    [socket('ENETUNREACH'), 'no-route', /no route to the robot/],
    [socket('ETIMEDOUT'), 'timeout', /no SSH answer within 10 s/],
    [level('client-timeout'), 'timeout', /robot off, wrong address, or Wi-Fi down/],
  ];
  for (const [error, kind, message] of cases) {
    const explained = explainConnectError(error, facts);
    assert.equal(explained.kind, kind, error.message);
    assert.match(explained.message, message);
  }
});

test('a refused login lists what was tried and skipped, and how to register a key', () => {
  const explained = explainConnectError(level('client-authentication'), {
    ...facts,
    skipped: ['~/.ssh/id_rsa (has a passphrase: add it to ssh-agent)'],
  });
  assert.equal(explained.kind, 'auth');
  assert.match(
    explained.message,
    /authentication failed; tried ssh-agent, key ~\/\.ssh\/id_ed25519; skipped ~\/\.ssh\/id_rsa \(has a passphrase.*\)\. Register your key with `npx tsx scripts\/setup\.ts robot1`/,
  );
  const none = explainConnectError(new Error('All configured authentication methods failed'), { ...facts, tried: [] });
  assert.equal(none.kind, 'auth');
  assert.match(none.message, /tried no usable key \(none found\)\./);
});

test('a changed or revoked host key wins over the socket error that followed it', () => {
  const changed = {
    kind: 'changed',
    fingerprint: 'SHA256:new',
    pinnedFingerprints: ['SHA256:old'],
  } as unknown as HostKeyVerdict;
  const explained = explainConnectError(socket('ECONNRESET'), { ...facts, verdict: changed });
  assert.equal(explained.kind, 'host-key-changed');
  assert.match(explained.message, /HOST KEY CHANGED .* presents SHA256:new, but SHA256:old is pinned\. .*--forget-host robot1/);
  assert.equal(explained.verdict, changed);
  const revoked = { kind: 'revoked', fingerprint: 'SHA256:bad' } as unknown as HostKeyVerdict;
  assert.equal(explainConnectError(level('client-authentication'), { ...facts, verdict: revoked }).kind, 'host-key-revoked');
});

test("anything else keeps ssh2's words, prefixed with the robot", () => {
  const explained = explainConnectError(new Error('Handshake failed: no matching key exchange algorithm'), facts);
  assert.equal(explained.kind, 'other');
  assert.equal(explained.message, 'robot1 (nuc@192.0.2.64:22): Handshake failed: no matching key exchange algorithm');
});
