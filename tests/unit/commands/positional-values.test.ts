// Every builder that runs one of the robot's sh files passes the values it is given as positional
// parameters, never inside the script text: each value below is distinct, so one interpolated
// anywhere into argv[2] fails the test by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeUp } from '../../../scripts/lib/commands/robot-compose.ts';
import { deltaApply, deltaDiscard, deltaReceive, deltaState } from '../../../scripts/lib/commands/robot-delta.ts';
import { probe, pullAndTag, rollback } from '../../../scripts/lib/commands/robot-docker.ts';
import { addAuthorizedKey } from '../../../scripts/lib/commands/robot-keys.ts';
import { pruneInventory, removeImages } from '../../../scripts/lib/commands/robot-prune.ts';
import { ensureRegistry } from '../../../scripts/lib/commands/robot-registry.ts';
import { queryRobotStatus } from '../../../scripts/lib/commands/robot-status.ts';

const v = (name: string) => `'"$(${name})"';x`;

const BUILDERS: Record<string, { argv: string[]; values: string[] }> = {
  ensureRegistry: { argv: ensureRegistry(54_321), values: ['54321'] },
  probe: { argv: probe([v('probe1'), v('probe2')]), values: [v('probe1'), v('probe2')] },
  pullAndTag: {
    argv: pullAndTag(v('src'), v('target'), v('prev'), [v('id1')]),
    values: [v('src'), v('target'), v('prev'), v('id1')],
  },
  rollback: { argv: rollback(v('rbTarget'), v('rbPrev')), values: [v('rbTarget'), v('rbPrev')] },
  pruneInventory: {
    argv: pruneInventory(v('pruneImage'), v('suffix'), [v('ws1'), v('ws2')]),
    values: [v('pruneImage'), v('suffix'), v('ws1'), v('ws2')],
  },
  removeImages: { argv: removeImages([v('rm1'), v('rm2')]), values: [v('rm1'), v('rm2')] },
  queryRobotStatus: { argv: queryRobotStatus(v('statusImage'), [v('statusWs')]), values: [v('statusImage'), v('statusWs')] },
  deltaState: {
    argv: deltaState(v('reg'), v('repo'), v('work'), v('layer'), { work: 111_111, basis: 222_222, layer: 333_333 }),
    values: [v('reg'), v('repo'), v('work'), v('layer'), '111111', '222222', '333333'],
  },
  deltaReceive: { argv: deltaReceive(v('rcvWork'), v('batch'), v('sha')), values: [v('rcvWork'), v('batch'), v('sha')] },
  deltaApply: {
    argv: deltaApply(v('aReg'), v('aRepo'), v('aWork'), v('aTarget'), v('aBasis'), v('aBlob'), [v('b0')]),
    values: [v('aReg'), v('aRepo'), v('aWork'), v('aTarget'), v('aBasis'), v('aBlob'), v('b0')],
  },
  deltaDiscard: { argv: deltaDiscard(v('discard')), values: [v('discard')] },
  composeUp: { argv: composeUp(v('compose')), values: [v('compose')] },
  addAuthorizedKey: { argv: addAuthorizedKey(`ssh-ed25519 ${v('key')} me`), values: [`ssh-ed25519 ${v('key')} me`, v('key')] },
};

for (const [name, { argv, values }] of Object.entries(BUILDERS)) {
  test(`${name}: the script text holds none of the values; each is a positional parameter`, () => {
    assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
    for (const value of values) {
      assert.ok(!argv[2].includes(value), `${value} is inside the script text`);
      assert.ok(argv.slice(4).includes(value), `${value} is not a positional parameter: ${JSON.stringify(argv.slice(3))}`);
    }
  });
}
