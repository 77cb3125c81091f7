import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSshTarget, parseSshTarget } from '../../../scripts/lib/config/ssh-target.ts';

test('user@host:port, host:port, user@host and host parse into their parts', () => {
  assert.deepEqual(parseSshTarget('nuc@robot1.local:2222'), { user: 'nuc', host: 'robot1.local', port: 2222 });
  assert.deepEqual(parseSshTarget('192.0.2.64:22'), { host: '192.0.2.64', port: 22 });
  assert.deepEqual(parseSshTarget('jetson@192.0.2.7'), { user: 'jetson', host: '192.0.2.7' });
  assert.deepEqual(parseSshTarget('robot1'), { host: 'robot1' });
  assert.deepEqual(parseSshTarget('robot.example.'), { host: 'robot.example.' }, 'a fully qualified name may end in a dot');
});

test('an IPv6 address is written in brackets, with or without user, port and zone', () => {
  assert.deepEqual(parseSshTarget('nuc@[::1]:2222'), { user: 'nuc', host: '::1', port: 2222 });
  assert.deepEqual(parseSshTarget('[2001:db8::7]'), { host: '2001:db8::7' });
  assert.deepEqual(parseSshTarget('[fe80::1%eth0]:22'), { host: 'fe80::1%eth0', port: 22 });
});

test('the last @ separates the user, so an @ in the user part is refused rather than taken as host', () => {
  assert.equal(parseSshTarget('a@b@robot'), 'user "a@b" is not a valid login name');
});

test('a port outside 1..65535 is refused, naming it', () => {
  assert.equal(parseSshTarget('nuc@robot:0'), 'port "0" is not between 1 and 65535');
  assert.equal(parseSshTarget('nuc@robot:65536'), 'port "65536" is not between 1 and 65535');
  assert.deepEqual(parseSshTarget('nuc@robot:65535'), { user: 'nuc', host: 'robot', port: 65535 });
});

test('malformed targets are refused with a problem text, never parsed into something else', () => {
  const refusals: [string, RegExp][] = [
    ['@robot', /^user "" is not a valid login name$/],
    ['9nuc@robot', /^user "9nuc" is not a valid login name$/],
    ['nuc me@robot', /^user "nuc me" is not a valid login name$/],
    [`${'u'.repeat(33)}@robot`, /is not a valid login name/],
    ['nuc@', /is not user@host\[:port\]$/],
    ['robot:', /is not user@host\[:port\]$/],
    ['robot:ssh', /is not user@host\[:port\]$/],
    ['::1', /is not user@host\[:port\]$/],
    ['nuc@-robot', /^host "-robot" is not a hostname or IP address$/],
    ['nuc@robot_1', /^host "robot_1" is not a hostname or IP address$/],
    ['nuc@robot;reboot', /^host "robot;reboot" is not a hostname or IP address$/],
    [`nuc@${'a'.repeat(64)}.local`, /is not a hostname or IP address/],
    ['nuc@[robot.local]', /^host "robot\.local" is not a hostname or IP address$/],
    ['nuc@[::1]:', /is not user@host\[:port\]$/],
  ];
  for (const [text, problem] of refusals) {
    const parsed = parseSshTarget(text);
    assert.equal(typeof parsed, 'string', `${text} parsed as ${JSON.stringify(parsed)}`);
    assert.match(parsed as string, problem, text);
  }
});

test('a parsed target formats back to what was written', () => {
  for (const text of ['nuc@robot1.local:2222', 'robot1', 'nuc@192.0.2.64', '192.0.2.64:2200', 'nuc@[::1]:2222', '[2001:db8::7]']) {
    const parsed = parseSshTarget(text);
    assert.notEqual(typeof parsed, 'string', text);
    assert.equal(formatSshTarget(parsed as Exclude<typeof parsed, string>), text);
  }
});

test('an IPv6 host is bracketed when formatted, so its port stays readable', () => {
  assert.equal(formatSshTarget({ host: 'fe80::1', port: 22 }), '[fe80::1]:22');
  assert.equal(formatSshTarget({ user: 'nuc', host: 'robot' }), 'nuc@robot');
});
