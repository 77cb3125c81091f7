import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnvLines } from '../../../scripts/lib/config/env-lines.ts';
import { UsageError } from '../../../scripts/lib/config/errors.ts';

const read = (text: string) => readEnvLines(text, 'robots.env');
const values = (text: string) => Object.fromEntries(read(text).map((e) => [e.key, e.value]));

function refused(message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  };
}

test('each assignment is read with its key, value and line; blank lines and comments count as lines but give nothing', () => {
  assert.deepEqual(read('# robots\n\nIMAGE=eurobot\n   \n  # indented comment\nR_HOST=nuc@192.0.2.1\n'), [
    { key: 'IMAGE', value: 'eurobot', line: 3 },
    { key: 'R_HOST', value: 'nuc@192.0.2.1', line: 6 },
  ]);
  assert.deepEqual(read(''), []);
});

test('LF, CRLF and a lone CR all end a line, with the same line numbers', () => {
  const expected = [
    { key: 'A', value: '1', line: 1 },
    { key: 'B', value: '2', line: 3 },
  ];
  assert.deepEqual(read('A=1\n\nB=2\n'), expected);
  assert.deepEqual(read('A=1\r\n\r\nB=2\r\n'), expected);
  assert.deepEqual(read('A=1\r\rB=2\r'), expected);
});

test('"export KEY=value" and spaces around = are accepted; an empty value is an empty string', () => {
  assert.deepEqual(values('export IMAGE=img\nPLATFORM = linux/arm64\nSSH_KEY=\n'), {
    IMAGE: 'img',
    PLATFORM: 'linux/arm64',
    SSH_KEY: '',
  });
});

test('unquoted: # starts a comment only after whitespace, as in the shell, and the value is trimmed', () => {
  assert.deepEqual(values('R_AFTER=cd /opt/app#1 && make   # restart\nIMAGE=  img  \n'), {
    R_AFTER: 'cd /opt/app#1 && make',
    IMAGE: 'img',
  });
});

test('quoted: the quotes go, and what they hold is kept whole, # and all; an escaped newline in double quotes is one', () => {
  assert.deepEqual(values('A="docker compose up -d # now" # comment\nB=\'it # stays\'\nC="one\\ntwo"\nD=""\n'), {
    A: 'docker compose up -d # now',
    B: 'it # stays',
    C: 'one\ntwo',
    D: '',
  });
});

test('a line that is not KEY=VALUE is refused with its line number and text', () => {
  assert.throws(
    () => read('IMAGE=img\nthis is not an assignment\n'),
    refused(/^robots\.env:2: expected KEY=VALUE, got "this is not an assignment"$/),
  );
  assert.throws(() => read('1ROBOT_HOST=x\n'), refused(/^robots\.env:1: expected KEY=VALUE/));
  assert.throws(() => read('R-HOST=x\n'), refused(/^robots\.env:1: expected KEY=VALUE/));
});

test('a long bad line is quoted only in part', () => {
  assert.throws(
    () => read(`${'x'.repeat(500)}\n`),
    (error: Error) => error.message.includes(`"${'x'.repeat(60)}"`) && error.message.length < 200,
  );
});

test('a key set twice is refused on its second line, naming the first', () => {
  assert.throws(() => read('IMAGE=a\nR_HOST=r\nexport IMAGE=b\n'), refused(/^robots\.env:3: IMAGE is already set on line 1$/));
});

test('a file over 1 MiB is refused as the wrong file, without reading its lines', () => {
  const big = `IMAGE=img\n# ${'x'.repeat(1024 * 1024)}\n`;
  assert.throws(() => read(big), refused(/^robots\.env: is \d+ bytes; a robots\.env is at most 1048576 bytes/));
});

test('a value over 64 KiB is refused at its line; one of exactly 64 KiB is kept', () => {
  const limit = 64 * 1024;
  assert.equal(values(`R_AFTER=${'a'.repeat(limit)}\n`).R_AFTER.length, limit);
  assert.throws(
    () => read(`IMAGE=img\nR_AFTER=${'a'.repeat(limit + 1)}\n`),
    refused(/^robots\.env:2: the value of R_AFTER is 65537 bytes; at most 65536$/),
  );
});

// dotenv hands an unbalanced quote back as raw text; the stray quote must not reach the robot's shell.
test('a quote closed too early, with more text after it, is refused; shell text that starts with a quote is kept as written', () => {
  assert.throws(() => read('IMAGE=img\nR_AFTER="x" y"\n'), refused(/^robots\.env:2: cannot read the value of R_AFTER/));
  const [, after] = read("IMAGE=img\nR_AFTER='/opt/my app/run.sh' --now # restart\n");
  assert.equal(after.value, "'/opt/my app/run.sh' --now");
  const [, hash] = read('IMAGE=img\nR_AFTER=echo \'a #b\' "c # d" # note\n');
  assert.equal(hash.value, `echo 'a #b' "c # d"`);
});

test('an apostrophe inside a value is a character: a folder named it\'s a "dir" is read as written', () => {
  const [, context] = read(`IMAGE=img\nCONTEXT=it's a $(touch x) "dir"\n`);
  assert.equal(context.value, `it's a $(touch x) "dir"`);
  const [, comment] = read("IMAGE=img\nCONTEXT=Tom's robot # the team\n");
  assert.equal(comment.value, "Tom's robot");
});

test('an unbalanced quote is refused at its line', () => {
  assert.throws(() => read('IMAGE=img\nR_AFTER="docker compose up -d\n'), refused(/^robots\.env:2: cannot read the value of R_AFTER/));
});
