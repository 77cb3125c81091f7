import assert from 'node:assert/strict';
import { test } from 'node:test';
import { socketFailure } from '../../../scripts/lib/net/socket-errors.ts';

test('a name that does not resolve, for good or for now, is a DNS failure', () => {
  assert.equal(socketFailure('ENOTFOUND'), 'dns');
  assert.equal(socketFailure('EAI_AGAIN'), 'dns');
});

test('a refused connection is refused; an unreachable host or network is no route', () => {
  assert.equal(socketFailure('ECONNREFUSED'), 'refused');
  assert.equal(socketFailure('EHOSTUNREACH'), 'no-route');
  assert.equal(socketFailure('ENETUNREACH'), 'no-route');
});

test('any other code, or none, is not one of these failures', () => {
  for (const code of [undefined, 'ETIMEDOUT', 'ECONNRESET', 'EACCES', '', 'econnrefused']) {
    assert.equal(socketFailure(code), undefined, String(code));
  }
});
