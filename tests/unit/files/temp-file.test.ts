import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import { readIfPresent, withTempFile } from '../../../scripts/lib/files/temp-file.ts';

test('the work gets a path of that name in a fresh directory under the temp dir, with no file there yet', async () => {
  let seen = '';
  await withTempFile('image.iid', async (file) => {
    seen = file;
    assert.equal(basename(file), 'image.iid');
    assert.ok(!relative(tmpdir(), file).startsWith('..'), `${file} is not under ${tmpdir()}`);
    assert.ok(existsSync(dirname(file)));
    assert.ok(!existsSync(file));
  });
  assert.ok(seen);
});

test("the work's result is returned and its directory removed, with what was written there", async () => {
  let dir = '';
  const result = await withTempFile('out.txt', async (file) => {
    dir = dirname(file);
    writeFileSync(file, 'sha256:abc');
    writeFileSync(join(dir, 'other'), 'also written');
    return readFileSync(file, 'utf8');
  });
  assert.equal(result, 'sha256:abc');
  assert.ok(!existsSync(dir));
});

test("a failing work's error passes through, and its directory is removed all the same", async () => {
  let dir = '';
  const failure = new Error('docker build failed');
  await assert.rejects(
    withTempFile('out.txt', async (file) => {
      dir = dirname(file);
      writeFileSync(file, 'partial');
      throw failure;
    }),
    (error) => error === failure,
  );
  assert.ok(dir);
  assert.ok(!existsSync(dir));
});

test('two works at once get different directories', async () => {
  const files = await Promise.all([withTempFile('same', async (file) => file), withTempFile('same', async (file) => file)]);
  assert.notEqual(dirname(files[0]), dirname(files[1]));
});

const scratch = mkdtempSync(join(tmpdir(), 'rd-temp-file-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('readIfPresent gives the text of a file, and an empty string for one that does not exist (a dry run writes none)', () => {
  const file = join(scratch, 'iid');
  assert.equal(readIfPresent(file), '');
  writeFileSync(file, 'sha256:123\n');
  assert.equal(readIfPresent(file), 'sha256:123\n');
});
