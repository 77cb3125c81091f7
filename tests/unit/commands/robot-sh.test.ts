// The robot's sh files name some of the laptop's constants literally (exit codes, the lock directory, the
// fingerprint format, the delta root): these tests keep both sides in step, and check what the loader sends.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FINGERPRINT_FORMAT } from '../../../scripts/lib/commands/image-identity.ts';
import { COMPOSE_MISSING, COMPOSE_NO_PROJECT } from '../../../scripts/lib/commands/robot-compose.ts';
import {
  DELTA_BASIS_MISMATCH,
  DELTA_BATCH_MISSING,
  DELTA_LAYER_MISMATCH,
  DELTA_NO_SPACE,
  DELTA_ROOT,
} from '../../../scripts/lib/commands/robot-delta.ts';
import { ROLLBACK_NO_CURRENT, ROLLBACK_NO_PREVIOUS } from '../../../scripts/lib/commands/robot-docker.ts';
import { DOCKER_DENIED, NO_DOCKER_CLI } from '../../../scripts/lib/commands/robot-docker-access.ts';
import { DOCKER_UNUSABLE } from '../../../scripts/lib/commands/robot-health.ts';
import {
  ROBOT_LOCK,
  ROBOT_LOCK_BUSY,
  ROBOT_LOCK_DIR,
  ROBOT_LOCK_UNUSABLE,
  ROBOT_LOCK_WAIT_SECONDS,
} from '../../../scripts/lib/commands/robot-lock-script.ts';
import { ENSURE_NO_IMAGE, ENSURE_PORT_BUSY } from '../../../scripts/lib/commands/robot-registry.ts';
import { robotScript } from '../../../scripts/lib/commands/robot-sh.ts';
import { escapeRegExp, REPO } from '../../support/cli.ts';
import { withLockDirText } from '../../support/lock-dir.ts';
import { skipOrFailUnlessWindows } from '../../support/skip.ts';

const DIR = join(REPO, 'scripts', 'lib', 'commands', 'robot-sh');
const FILES = readdirSync(DIR).filter((name) => name.endsWith('.sh'));

/** Every exit status beyond 0 and 1 a script gives, by the name the laptop knows it by. Signals (128 + n) are not listed. */
const EXIT_CODES: Record<string, Record<string, number>> = {
  'lock.sh': { ROBOT_LOCK_BUSY, ROBOT_LOCK_UNUSABLE },
  'docker-access.sh': { NO_DOCKER_CLI, DOCKER_DENIED },
  'ensure-registry.sh': { ENSURE_NO_IMAGE, ENSURE_PORT_BUSY },
  'rollback.sh': { ROLLBACK_NO_CURRENT, ROLLBACK_NO_PREVIOUS },
  'pull-and-tag.sh': { 'an unexpected image ID (its stderr says which)': 5 },
  'delta-state.sh': { DELTA_NO_SPACE },
  'delta-apply.sh': { DELTA_BASIS_MISMATCH, DELTA_BATCH_MISSING, DELTA_LAYER_MISMATCH },
  'compose-up.sh': { COMPOSE_MISSING, COMPOSE_NO_PROJECT },
  'health.sh': { DOCKER_UNUSABLE },
};

/** `exit N`, and delta-apply.sh's `fail "message" N`, in the text the robot receives. */
function exitCodes(text: string): number[] {
  const found = [...text.matchAll(/\bexit (\d+)\b/g), ...text.matchAll(/\bfail "(?:[^"\\]|\\.)*" (\d+)\b/g)].map((m) => Number(m[1]));
  return [...new Set(found)].filter((code) => code > 1 && code <= 128).sort((a, b) => a - b);
}

const count = (text: string, part: string): number => text.split(part).length - 1;

test('the loader reads every robot-sh file, and the extraction of exit codes finds what it should', () => {
  assert.ok(FILES.length >= 20, `${FILES.length} sh files in ${DIR}`);
  assert.deepEqual(exitCodes('exit 0; exit 75\nfail "no \\"x\\" here" 3\ntrap \'exit 130\' INT\nexit "${2:-1}"'), [3, 75]);
});

test('every exit status a robot script gives beyond 0 and 1 is the one the laptop names, both ways', () => {
  for (const file of FILES) {
    const named = Object.values(EXIT_CODES[file] ?? {}).sort((a, b) => a - b);
    assert.deepEqual(exitCodes(robotScript(file)), named, `${file}: its exit codes and the laptop's constants for it`);
  }
  assert.deepEqual(
    Object.keys(EXIT_CODES).filter((file) => !FILES.includes(file)),
    [],
    'files named above that do not exist',
  );
});

test('lock.sh locks in ROBOT_LOCK_DIR and waits ROBOT_LOCK_WAIT_SECONDS, so the tests can move that directory', () => {
  assert.deepEqual(
    [...ROBOT_LOCK.matchAll(/lock_dir_of (\S+)\)/g)].map((m) => m[1]),
    [ROBOT_LOCK_DIR],
  );
  assert.deepEqual(
    [...ROBOT_LOCK.matchAll(/flock -w (\d+) /g)].map((m) => Number(m[1])),
    [ROBOT_LOCK_WAIT_SECONDS],
  );
  assert.deepEqual(
    [...ROBOT_LOCK.matchAll(/for over (\d+) s/g)].map((m) => Number(m[1])),
    [ROBOT_LOCK_WAIT_SECONDS],
  );
  assert.equal(count(withLockDirText(ROBOT_LOCK, '/tmp/moved'), ROBOT_LOCK_DIR), 0);
});

test('probe, pull & tag and status inspect images by FINGERPRINT_FORMAT, the laptop side too, and by no other copy', () => {
  for (const file of ['probe.sh', 'pull-and-tag.sh', 'status.sh']) {
    const text = robotScript(file);
    assert.equal(count(text, `${FINGERPRINT_FORMAT}"`), 1, `${file} names FINGERPRINT_FORMAT (commands/image-identity.ts), all of it`);
    assert.equal(count(text, '{{.Os}}/{{.Architecture}}'), 1, `${file} has no other fingerprint format`);
  }
});

test('every delta script works under DELTA_ROOT', () => {
  for (const file of FILES.filter((name) => name.startsWith('delta-'))) {
    const text = robotScript(file);
    const roots = [...text.matchAll(new RegExp(`${escapeRegExp(DELTA_ROOT)}(?=[/"]|$)`, 'gm'))].length;
    assert.ok(roots >= 1, `${file} names DELTA_ROOT (commands/robot-delta.ts)`);
    assert.equal(roots, count(text, '/robot-deploy/delta'), `${file} names no other delta root`);
  }
});

test('the robot receives the shared functions first and no comment line, with multi-line strings intact', () => {
  const text = robotScript('lock.sh', 'hold-lock.sh');
  assert.match(text, /^lock_group\(\) \{\n/);
  assert.match(text, /\n\}\nrobot_lock "\$1"\necho locked\nwhile /);
  assert.doesNotMatch(text, /^[ \t]*#/m);
  assert.match(robotScript('pull-and-tag.sh'), /\ngot=\$\{both%%\n\*\} old=\ncase \$both in \*"\n"\*\) old=\$\{both#\*\n\} ;; esac\n/);
  assert.match(robotScript('status.sh'), /\{\{\.Metadata\.LastTagTime\}\}\ndigests \$ws\{\{range \.RepoDigests\}\}/);
  for (const file of FILES) {
    assert.match(readFileSync(join(DIR, file), 'utf8'), /^# shellcheck shell=sh\n/, `${file} says its shell for shellcheck and editors`);
  }
});

test('the package ships every robot sh file: the installed bin reads them at run time', (t) => {
  // npm is a .cmd on Windows, which needs a shell; CI's Windows run (node.exe under Wine) has no npm at all.
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
  if (packed.error) return skipOrFailUnlessWindows(t, 'npm is not on PATH');
  assert.equal(packed.status, 0, packed.stderr);
  const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map((file) => file.path);
  assert.deepEqual(
    FILES.filter((file) => !files.includes(`scripts/lib/commands/robot-sh/${file}`)),
    [],
    'robot sh files left out of the package',
  );
});
