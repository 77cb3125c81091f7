import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { answer, complain, outputMode, say, setOutputMode, traceCommand, traceNote } from '../../../scripts/lib/cli/output.ts';

let saved: typeof outputMode;
beforeEach(() => {
  saved = { ...outputMode };
});
afterEach(() => {
  Object.assign(outputMode, saved);
});

/** What `work` writes to stdout and stderr; kept synchronous, so nothing else writes meanwhile. */
function captured(work: () => void): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => {
    out.stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    out.stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    work();
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
  return out;
}

test('-q and -v are taken as given', () => {
  setOutputMode({ quiet: true }, {}, true);
  assert.deepEqual([outputMode.quiet, outputMode.verbose], [true, false]);
  setOutputMode({ verbose: true }, {}, true);
  assert.deepEqual([outputMode.quiet, outputMode.verbose], [false, true]);
  setOutputMode({}, {}, true);
  assert.deepEqual([outputMode.quiet, outputMode.verbose], [false, false]);
});

test('a terminal gets colour unless --no-color or NO_COLOR (set at all, even empty) says otherwise', () => {
  setOutputMode({}, {}, true);
  assert.equal(outputMode.color, true);
  setOutputMode({ 'no-color': true }, {}, true);
  assert.equal(outputMode.color, false);
  setOutputMode({}, { NO_COLOR: '' }, true);
  assert.equal(outputMode.color, false);
  setOutputMode({}, { NO_COLOR: '1', FORCE_COLOR: '1' }, true);
  assert.equal(outputMode.color, false, 'NO_COLOR wins over FORCE_COLOR');
});

test('a file or pipe gets no colour unless FORCE_COLOR asks', () => {
  setOutputMode({}, {}, false);
  assert.equal(outputMode.color, false);
  setOutputMode({}, { FORCE_COLOR: '1' }, false);
  assert.equal(outputMode.color, true);
});

test('without colour, NO_COLOR=1 is set for libraries and children that read it; with colour the environment is left alone', () => {
  const plain: NodeJS.ProcessEnv = {};
  setOutputMode({}, plain, false);
  assert.equal(plain.NO_COLOR, '1');
  const flagged: NodeJS.ProcessEnv = {};
  setOutputMode({ 'no-color': true }, flagged, true);
  assert.equal(flagged.NO_COLOR, '1');
  const coloured: NodeJS.ProcessEnv = {};
  setOutputMode({}, coloured, true);
  assert.deepEqual(coloured, {});
});

test('say prints to stdout, and -q silences it', () => {
  setOutputMode({}, {}, false);
  assert.deepEqual(
    captured(() => say('deployed')),
    { stdout: 'deployed\n', stderr: '' },
  );
  setOutputMode({ quiet: true }, {}, false);
  assert.deepEqual(
    captured(() => say('deployed')),
    { stdout: '', stderr: '' },
  );
});

test('answer (what was asked for) prints to stdout even with -q; complain always goes to stderr', () => {
  setOutputMode({ quiet: true }, {}, false);
  assert.deepEqual(
    captured(() => {
      answer('{"ok":true}');
      complain('robot1 failed');
    }),
    { stdout: '{"ok":true}\n', stderr: 'robot1 failed\n' },
  );
});

test('-v traces each robot command on stderr as its sh receives it, and notes as comments; without -v nothing', () => {
  setOutputMode({ verbose: true }, {}, false);
  assert.deepEqual(
    captured(() => {
      traceCommand('robot1', ['docker', 'image', 'inspect', 'img:nav ws']);
      traceNote('laptop', 'ssh-agent skipped');
    }),
    { stdout: '', stderr: "+ [robot1] docker image inspect 'img:nav ws'\n# [laptop] ssh-agent skipped\n" },
  );
  setOutputMode({}, {}, false);
  assert.deepEqual(
    captured(() => {
      traceCommand('robot1', ['docker', 'ps']);
      traceNote('laptop', 'ssh-agent skipped');
    }),
    { stdout: '', stderr: '' },
  );
});

test("-v traces a laptop command for the user's shell, with the variables it gets", () => {
  setOutputMode({ verbose: true }, {}, false);
  const { stderr } = captured(() => traceCommand('laptop', ['docker', 'build', 'my dir'], { DOCKER_BUILDKIT: '1' }));
  const line = process.platform === 'win32' ? "$env:DOCKER_BUILDKIT='1'; docker build 'my dir'" : "DOCKER_BUILDKIT=1 docker build 'my dir'";
  assert.equal(stderr, `+ [laptop] ${line}\n`);
});
