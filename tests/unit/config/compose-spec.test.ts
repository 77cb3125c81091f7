import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeSpecProblem } from '../../../scripts/lib/config/compose-spec.ts';

test('an absolute compose file path on the robot is accepted, spaces and all', () => {
  assert.equal(composeSpecProblem('/opt/robot/docker-compose.yml'), undefined);
  assert.equal(composeSpecProblem('/home/nuc/My Robot/compose.yaml'), undefined);
});

test('a compose file path with a newline, carriage return or comma is refused', () => {
  for (const spec of ['/opt/a\n/opt/b.yml', '/opt/a\r.yml', '/opt/a.yml,/opt/b.yml']) {
    assert.equal(composeSpecProblem(spec), 'a compose file path may not contain a newline or a comma', JSON.stringify(spec));
  }
});

test('a compose project name of lower-case letters, digits, - and _ is accepted', () => {
  for (const spec of ['robot', 'robot-stack_2', '0robot']) assert.equal(composeSpecProblem(spec), undefined, spec);
});

test('anything else (relative paths, capitals, a leading - or _, shell characters, empty) is refused with what is allowed', () => {
  for (const spec of ['compose.yml', './compose.yml', 'Robot', '-robot', '_robot', 'robot stack', 'robot;reboot', '$(id)', '']) {
    assert.match(
      composeSpecProblem(spec) ?? '',
      /^is neither an absolute path of a compose file on the robot nor a compose project name/,
      JSON.stringify(spec),
    );
  }
});
