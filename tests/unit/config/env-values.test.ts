import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { EnvEntry } from '../../../scripts/lib/config/env-lines.ts';
import {
  checked,
  checkValue,
  contextDir,
  countValue,
  deltaSetting,
  keyPath,
  portValue,
  secondsValue,
  workspaceList,
} from '../../../scripts/lib/config/env-values.ts';
import { UsageError } from '../../../scripts/lib/config/errors.ts';
import { escapeRegExp } from '../../support/cli.ts';
import { skipOrFailUnlessWindows } from '../../support/skip.ts';

const FILE = 'robots.env';
const entry = (key: string, value: string, line = 7): EnvEntry => ({ key, value, line });

/** A usage error (exit code 2) that names robots.env and the line, then says `message`. */
function refused(message: RegExp, line = 7) {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, new RegExp(`^robots\\.env:${line}: `));
    assert.match(error.message, message);
    return true;
  };
}

const dirs: string[] = [];
function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-env-values-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('a value with a problem is refused at its line, quoting KEY="value" and the problem', () => {
  const bad = () => 'is not allowed here';
  assert.throws(() => checkValue(FILE, entry('IMAGE', 'Bad'), bad), refused(/IMAGE="Bad" is not allowed here$/));
  assert.throws(() => checked(FILE, entry('IMAGE', 'Bad', 3), bad), refused(/IMAGE="Bad"/, 3));
});

test('a value without a problem is returned as written, and an absent key gives undefined without a check', () => {
  const seen: string[] = [];
  const fine = (value: string) => void seen.push(value);
  assert.doesNotThrow(() => checkValue(FILE, entry('IMAGE', 'img'), fine));
  assert.equal(checked(FILE, entry('IMAGE', 'img'), fine), 'img');
  assert.equal(
    checked(FILE, undefined, () => 'never asked'),
    undefined,
  );
  assert.deepEqual(seen, ['img', 'img']);
});

test('a workspace list is split on commas, trimmed, and empty items dropped', () => {
  assert.deepEqual(workspaceList(FILE, entry('WORKSPACES', ' navigation, vision ,,arm ')), ['navigation', 'vision', 'arm']);
  assert.deepEqual(workspaceList(FILE, entry('WORKSPACES', '')), []);
  assert.equal(workspaceList(FILE, undefined), undefined);
});

test('a workspace list refuses an invalid tag and a name given twice, naming the key and the line', () => {
  assert.throws(() => workspaceList(FILE, entry('WORKSPACES', 'nav, -vision')), refused(/WORKSPACES="-vision" is not a valid Docker tag/));
  assert.throws(() => workspaceList(FILE, entry('R_WORKSPACES', 'nav.prev')), refused(/R_WORKSPACES="nav\.prev" ends in \.prev/));
  assert.throws(() => workspaceList(FILE, entry('WORKSPACES', 'nav, vision, nav', 4)), refused(/WORKSPACES lists "nav" twice/, 4));
});

test('a port is a whole number from 1 to 65535', () => {
  assert.equal(portValue(FILE, entry('REGISTRY_PORT', '1')), 1);
  assert.equal(portValue(FILE, entry('REGISTRY_PORT', '5000')), 5000);
  assert.equal(portValue(FILE, entry('REGISTRY_PORT', '65535')), 65535);
  assert.equal(portValue(FILE, undefined), undefined);
  for (const bad of ['0', '65536', '-1', '5000.5', '5e3', '0x50', ' 5000', '', 'five']) {
    assert.throws(
      () => portValue(FILE, entry('REGISTRY_PORT', bad)),
      refused(/is not a port number between 1 and 65535/),
      JSON.stringify(bad),
    );
  }
});

test('seconds are whole numbers from the given minimum (0 unless told) to 3600', () => {
  assert.equal(secondsValue(FILE, entry('RECONNECT_SECONDS', '0')), 0);
  assert.equal(secondsValue(FILE, entry('RECONNECT_SECONDS', '3600')), 3600);
  assert.equal(secondsValue(FILE, entry('ROBOT_TIMEOUT_SECONDS', '1'), 1), 1);
  assert.equal(secondsValue(FILE, undefined), undefined);
  assert.throws(() => secondsValue(FILE, entry('ROBOT_TIMEOUT_SECONDS', '0'), 1), refused(/is not a number of seconds from 1 to 3600/));
  for (const bad of ['3601', '1.5', '-1', '', 'ten']) {
    assert.throws(() => secondsValue(FILE, entry('RECONNECT_SECONDS', bad)), refused(/from 0 to 3600/), JSON.stringify(bad));
  }
});

test('a count is a whole number from 1 to 100', () => {
  assert.equal(countValue(FILE, entry('ALIVE_COUNT_MAX', '1')), 1);
  assert.equal(countValue(FILE, entry('ALIVE_COUNT_MAX', '100')), 100);
  assert.equal(countValue(FILE, undefined), undefined);
  for (const bad of ['0', '101', '2.5', '', 'many']) {
    assert.throws(
      () => countValue(FILE, entry('ALIVE_COUNT_MAX', bad)),
      refused(/is not a whole number from 1 to 100/),
      JSON.stringify(bad),
    );
  }
});

test('a key path is taken relative to robots.env, ~ is the home directory, and an empty value means no key', () => {
  const dir = resolve(tmpdir(), 'project');
  assert.equal(keyPath(entry('SSH_KEY', 'keys/robot'), dir), join(dir, 'keys', 'robot'));
  assert.equal(keyPath(entry('SSH_KEY', '~/.ssh/id_ed25519'), dir), join(homedir(), '.ssh', 'id_ed25519'));
  const absolute = resolve(tmpdir(), 'elsewhere', 'key');
  assert.equal(keyPath(entry('SSH_KEY', absolute), dir), absolute);
  assert.equal(keyPath(entry('SSH_KEY', ''), dir), undefined);
  assert.equal(keyPath(undefined, dir), undefined);
});

test('CONTEXT defaults to the directory of robots.env and may name a directory inside it', () => {
  const dir = tempProject();
  mkdirSync(join(dir, 'src'));
  assert.equal(contextDir(FILE, dir, undefined), dir);
  assert.equal(contextDir(FILE, dir, entry('CONTEXT', 'src')), join(dir, 'src'));
});

test('CONTEXT that does not exist is refused, naming the directory looked for', () => {
  const dir = tempProject();
  assert.throws(
    () => contextDir(FILE, dir, entry('CONTEXT', 'missing')),
    refused(new RegExp(`CONTEXT directory ${escapeRegExp(join(dir, 'missing'))} does not exist$`)),
  );
});

test('CONTEXT outside the project is refused, also when a symlink inside points outside', (t) => {
  const root = tempProject();
  const dir = join(root, 'project');
  mkdirSync(dir);
  mkdirSync(join(root, 'other'));
  assert.throws(() => contextDir(FILE, dir, entry('CONTEXT', '../other')), refused(/CONTEXT=\.\.\/other points outside/));
  // A junction on Windows needs no privilege; elsewhere the type is ignored.
  try {
    symlinkSync(join(root, 'other'), join(dir, 'link'), 'junction');
  } catch (error) {
    // Wine makes no junctions (ENOTSUP); Linux and a real Windows do.
    if (process.platform === 'win32') return skipOrFailUnlessWindows(t, `cannot make a junction here: ${(error as Error).message}`);
    throw error;
  }
  assert.throws(() => contextDir(FILE, dir, entry('CONTEXT', 'link')), refused(/CONTEXT=link points outside/));
});

// "..build" is a name inside the project, not a step out of it.
test('CONTEXT naming a directory inside the project whose name starts with ".." is accepted', () => {
  const dir = tempProject();
  mkdirSync(join(dir, '..build'));
  assert.equal(contextDir(FILE, dir, entry('CONTEXT', '..build')), join(dir, '..build'));
});

test('DELTA is on, off or auto, and nothing else', () => {
  assert.equal(deltaSetting(FILE, entry('DELTA', 'on')), true);
  assert.equal(deltaSetting(FILE, entry('DELTA', 'off')), false);
  assert.equal(deltaSetting(FILE, entry('DELTA', 'auto')), 'auto');
  assert.equal(deltaSetting(FILE, undefined), undefined);
  for (const bad of ['ON', 'yes', 'true', '1', '']) {
    assert.throws(() => deltaSetting(FILE, entry('R_DELTA', bad)), refused(/R_DELTA=.*: use on, off or auto/), JSON.stringify(bad));
  }
});
