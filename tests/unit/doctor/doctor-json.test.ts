import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOCTOR_JSON_VERSION, doctorJson } from '../../../scripts/lib/doctor/doctor-json.ts';
import type { CheckRow } from '../../../scripts/lib/doctor/table.ts';

const ok: CheckRow = { scope: 'laptop', check: 'docker', verdict: 'ok', detail: 'engine 28.2.2' };
const warn: CheckRow = { scope: 'robot1', check: 'disk', verdict: 'warn', detail: '90% full', fix: 'prune.ts robot1' };
const fail: CheckRow = { scope: 'robot1', check: 'ssh key login', verdict: 'fail', detail: 'refused', fix: 'run setup.ts robot1' };

test('the document names its schema and version', () => {
  const json = doctorJson([ok]);
  assert.equal(json.schema, 'robot-deploy.doctor');
  assert.equal(json.version, DOCTOR_JSON_VERSION);
  assert.equal(DOCTOR_JSON_VERSION, 1, 'version 1 is what scripts reading --json were written against');
});

test('ok only when no check failed: warnings do not count, every failure does', () => {
  assert.deepEqual(pick(doctorJson([ok, warn])), { ok: true, failed: 0 });
  assert.deepEqual(pick(doctorJson([fail, ok, { ...fail, scope: 'jetson' }])), { ok: false, failed: 2 });
  assert.deepEqual(pick(doctorJson([])), { ok: true, failed: 0 });
});

test('one check per row in the table order, every field present and fix null when there is none', () => {
  const json = JSON.parse(JSON.stringify(doctorJson([warn, ok, fail])));
  assert.deepEqual(json.checks, [
    { scope: 'robot1', check: 'disk', verdict: 'warn', detail: '90% full', fix: 'prune.ts robot1' },
    { scope: 'laptop', check: 'docker', verdict: 'ok', detail: 'engine 28.2.2', fix: null },
    { scope: 'robot1', check: 'ssh key login', verdict: 'fail', detail: 'refused', fix: 'run setup.ts robot1' },
  ]);
});

function pick(json: { ok: boolean; failed: number }) {
  return { ok: json.ok, failed: json.failed };
}
