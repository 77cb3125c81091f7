import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CheckRow, formatTable } from '../../../scripts/lib/doctor/table.ts';

const ROWS: CheckRow[] = [
  { scope: 'laptop', check: 'docker', verdict: 'ok', detail: 'engine 28.2.2' },
  { scope: 'robot1', check: 'ssh key login', verdict: 'fail', detail: 'refused', fix: 'run setup.ts robot1' },
  { scope: 'jetson-orin', check: 'disk', verdict: 'warn', detail: '90% full', fix: 'prune.ts jetson-orin' },
];

test('one line per row, marked ✔ ok, ! warn, ✖ fail, in the order given', () => {
  const lines = formatTable(ROWS)
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('fix:'));
  assert.deepEqual(
    lines.map((line) => line.split(/\s+/).slice(0, 2).join(' ')),
    ['✔ laptop', '✖ robot1', '! jetson-orin'],
  );
});

test('scope, check and detail each start in one column, whatever the lengths', () => {
  const lines = formatTable(ROWS)
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('fix:'));
  const columns = (text: string) => [text.indexOf(' ') + 1, ...[...text.matchAll(/ {2,}(?=\S)/g)].map((m) => m.index + m[0].length)];
  assert.deepEqual(columns(lines[0]), columns(lines[1]));
  assert.deepEqual(columns(lines[1]), columns(lines[2]));
  assert.ok(lines[0].endsWith('  engine 28.2.2'));
});

test('a failing or warning row is followed by its fix, indented past the scope and check columns', () => {
  const lines = formatTable(ROWS).split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[1], /^✖ robot1 +ssh key login +refused$/);
  assert.match(lines[2], /^ +fix: run setup\.ts robot1$/);
  assert.match(lines[3], /^! jetson-orin +disk +90% full$/);
  assert.match(lines[4], /^ +fix: prune\.ts jetson-orin$/);
  assert.ok(lines[2].indexOf('fix:') > lines[1].indexOf('ssh key login'));
});

test('an ok row shows no fix, even when it has one', () => {
  const table = formatTable([{ scope: 'laptop', check: 'docker', verdict: 'ok', detail: 'fine', fix: 'nothing to do' }]);
  assert.equal(table, '✔ laptop  docker  fine');
});
