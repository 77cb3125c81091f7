// The product (scripts/*.ts entry points and scripts/lib/) never imports developer tooling (scripts/dev/).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../support/cli.ts';
import { boundaryViolations, importSpecifiers, sourceFiles } from '../../support/import-specifiers.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEV = join(ROOT, 'scripts', 'dev');

function productFiles(root: string): string[] {
  return [...sourceFiles(join(root, 'scripts'), false), ...sourceFiles(join(root, 'scripts', 'lib'))];
}

test('importSpecifiers reads static, side-effect, type, re-export and dynamic imports, not comments', () => {
  const source = [
    "import { a } from './a.ts';",
    'import type { B } from "../b.ts";',
    "import './side-effect.ts';",
    "export { c } from './c.ts';",
    'import {',
    '  d,',
    "} from './d.ts';",
    "const e = await import('./e.ts');",
    "// import { f } from './commented.ts';",
    "/* import './blocked.ts'; */",
    "const url = 'https://example.com/x'; // a URL is not an import",
  ].join('\n');
  assert.deepEqual(importSpecifiers(source), ['./a.ts', '../b.ts', './side-effect.ts', './c.ts', './d.ts', './e.ts']);
});

test('the check finds a product file that imports from scripts/dev (it can fail)', (t) => {
  const root = tempDir('rd-boundary-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'scripts', 'lib', 'net'), { recursive: true });
  mkdirSync(join(root, 'scripts', 'dev', 'sim'), { recursive: true });
  writeFileSync(join(root, 'scripts', 'lib', 'net', 'uses-sim.ts'), "import { x } from '../../dev/sim/names.ts';\n");
  writeFileSync(
    join(root, 'scripts', 'entry.ts'),
    "const m = await import('./dev/demo.ts');\nimport { y } from './lib/net/uses-sim.ts';\n",
  );
  writeFileSync(join(root, 'scripts', 'dev', 'demo.ts'), "import { z } from '../lib/net/uses-sim.ts';\n");
  assert.deepEqual(boundaryViolations(root, productFiles(root), join(root, 'scripts', 'dev')).sort(), [
    "scripts/entry.ts: './dev/demo.ts'",
    "scripts/lib/net/uses-sim.ts: '../../dev/sim/names.ts'",
  ]);
});

test('no product file imports from scripts/dev', () => {
  const files = productFiles(ROOT);
  assert.ok(files.length > 50, `expected the product's files, found ${files.length}`);
  assert.ok(existsSync(DEV), 'scripts/dev exists');
  assert.deepEqual(boundaryViolations(ROOT, files, DEV), []);
});
