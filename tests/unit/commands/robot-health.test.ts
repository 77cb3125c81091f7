import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseRobotHealth, robotHealth } from '../../../scripts/lib/commands/robot-health.ts';
import { makeLockDir } from '../../support/lock-dir.ts';
import { robotShellTest } from '../../support/skip.ts';

/** Only the lock lines of the health script, run here with its lock directory moved. */
function lockLine(dir: string): string {
  const script = robotHealth()[2];
  const lock = script.slice(script.indexOf('if [ -d "$lockdir" ]'));
  return spawnSync('sh', ['-c', `lockdir=$3\n${lock}`, 'health', '', '', dir], { encoding: 'utf8' }).stdout.trim();
}

robotShellTest('doctor: the robot lock directory is there, or will be made, or each account locks in its own home', () => {
  assert.equal(lockLine(makeLockDir()), 'lock-dir shared');
  // As root (this suite's CI) a missing directory is made by the first deploy.
  if (process.getuid?.() === 0) assert.equal(lockLine('/nonexistent/robot-deploy'), 'lock-dir makeable');
  assert.equal(parseRobotHealth('lock-dir own\n').lockDir, 'own');
  assert.equal(parseRobotHealth('').lockDir, 'own', 'an old robot script that says nothing is not taken for a shared lock');
});
