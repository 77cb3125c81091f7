import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultRobotNames,
  hostPlatform,
  inSubnet,
  isOurNetns,
  isOurVeth,
  robotEnvKey,
  robotLayouts,
  subnetCidr,
  validateRate,
  validateRobotName,
  validateSubnet,
  vethNames,
} from '../../../scripts/dev/sim/names.ts';

test('default names are sim1..simN', () => {
  assert.deepEqual(defaultRobotNames(3), ['sim1', 'sim2', 'sim3']);
  assert.throws(() => defaultRobotNames(0), /between 1 and 254/);
  assert.throws(() => defaultRobotNames(255), /between 1 and 254/);
  assert.throws(() => defaultRobotNames(1.5), /integer/);
});

test('robot names: lowercase, start with a letter, at most 16 characters', () => {
  for (const ok of ['sim1', 'a', 'arm-left-2', 'abcdefghijklmnop']) validateRobotName(ok);
  for (const bad of ['', '1sim', 'Sim', 'sim_1', 'a.b', 'abcdefghijklmnopq', '-a']) {
    assert.throws(() => validateRobotName(bad), /invalid robot name/, bad);
  }
});

test('layouts give each robot its own /24, netns and veth pair', () => {
  const [a, b] = robotLayouts('rdsim', '10.77', ['sim1', 'arm-2']);
  assert.deepEqual(a, {
    name: 'sim1',
    index: 1,
    netns: 'rdsim-sim1',
    hostVeth: 'rdsim1h',
    robotVeth: 'rdsim1r',
    address: '10.77.1.2',
    hostAddress: '10.77.1.1',
    cidr: '10.77.1.0/24',
  });
  assert.equal(b?.netns, 'rdsim-arm-2');
  assert.equal(b?.address, '10.77.2.2');
  assert.equal(b?.hostVeth, 'rdsim2h');
});

test('layouts refuse duplicates, bad prefixes and bad subnets', () => {
  assert.throws(() => robotLayouts('rdsim', '10.77', ['a', 'a']), /used twice/);
  assert.throws(() => robotLayouts('rd-sim', '10.77', ['a']), /lowercase letters only/);
  assert.throws(() => robotLayouts('rd1', '10.77', ['a']), /lowercase letters only/);
  assert.throws(() => robotLayouts('rdsim', '10.77', []), /between 1 and 254/);
  for (const bad of ['10', '10.77.1', '10.256', 'a.b', '10.077x']) assert.throws(() => validateSubnet(bad), /invalid sim subnet/, bad);
  validateSubnet('192.168');
});

test('interface names stay within 15 characters', () => {
  assert.deepEqual(vethNames('abcdefghijkl', 9), { hostVeth: 'abcdefghijkl9h', robotVeth: 'abcdefghijkl9r' });
  assert.throws(() => vethNames('abcdefghijklm', 10), /too long.*16 characters.*at most 12 letters/);
  assert.throws(() => robotLayouts('abcdefghijklmn', '10.77', ['a']), /too long/);
  const many = robotLayouts('abcdefghijk', '10.77', defaultRobotNames(254));
  assert.ok(many.every((l) => l.hostVeth.length <= 15 && l.robotVeth.length <= 15));
  assert.equal(many.at(-1)?.address, '10.77.254.2');
});

test('ownership checks match only our prefix', () => {
  assert.ok(isOurVeth('rdsim', 'rdsim12h'));
  assert.ok(isOurVeth('rdsim', 'rdsim3r'));
  assert.ok(!isOurVeth('rd', 'rdsim1h'));
  assert.ok(!isOurVeth('rdsim', 'rdsim1'));
  assert.ok(!isOurVeth('rdsim', 'eth0'));
  assert.ok(isOurNetns('rdt', 'rdt-keybot'));
  assert.ok(!isOurNetns('rd', 'rdt-keybot'));
  assert.ok(!isOurNetns('rdt', 'rdtx-keybot'));
});

test('env keys, subnets, rates and platform', () => {
  assert.equal(robotEnvKey('sim1'), 'SIM1_HOST');
  assert.equal(robotEnvKey('arm-left-2'), 'ARM_LEFT_2_HOST');
  assert.equal(subnetCidr('10.77'), '10.77.0.0/16');
  assert.ok(inSubnet('10.77', '10.77.3.2'));
  assert.ok(!inSubnet('10.77', '10.7.7.1'));
  assert.ok(!inSubnet('10.77', '10.770.1.1'));
  for (const ok of ['100mbit', '512kbit', '1.5mbit', '2mbps', '1gbit']) validateRate(ok);
  for (const bad of ['fast', '100', '100 mbit', '-1mbit']) assert.throws(() => validateRate(bad), /invalid rate/, bad);
  assert.equal(hostPlatform('x64'), 'linux/amd64');
  assert.equal(hostPlatform('arm64'), 'linux/arm64');
});
