// A stand-in laptop program (docker) written in Node, started the way the product starts programs: by name from
// PATH, with no shell, on every OS. It is Node itself under that name (a symlink; on Windows a hard link or copy,
// only an .exe can start without a shell) that runs `body` from a --require preload in NODE_OPTIONS. Any
// other node process that inherits NODE_OPTIONS (the script under test) is left alone.
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tempDir } from './cli.ts';

export interface FakeProgram {
  dir: string;
  bin: string;
  /** PATH with `bin` first, and the NODE_OPTIONS that makes the program behave; add to a script's environment. */
  env: Record<string, string>;
}

/**
 * `body` is CommonJS run for each call, with `args` (the program's arguments; the first must be a plain word, as
 * docker's subcommands are, because Node takes it for a script path) and `fs`, `path`, `child_process` in scope.
 */
export function fakeProgram(name: string, body: string): FakeProgram {
  const dir = tempDir(`rd-fake-${name}-`);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const exe = join(bin, process.platform === 'win32' ? `${name}.exe` : name);
  // Windows: a copy, as a hard link to the running node.exe could not be deleted when the test ends.
  if (process.platform === 'win32') copyFileSync(process.execPath, exe);
  else symlinkSync(process.execPath, exe);
  const preload = join(dir, 'fake.cjs');
  writeFileSync(
    preload,
    `const fs = require('node:fs');
const path = require('node:path');
const child_process = require('node:child_process');
const named = (file) => path.basename(file || '').replace(/\\.exe$/i, '') === ${JSON.stringify(name)};
if (named(process.argv0) || named(process.execPath)) {
  // Node 20 lets a preload replace the main module's loader: the program's arguments never load as a script.
  require('node:module').runMain = () => {
    const args = process.argv.length > 1 ? [path.basename(process.argv[1]), ...process.argv.slice(2)] : [];
    ${body}
  };
}
`,
  );
  // NODE_OPTIONS takes a quoted path; backslashes would be escapes there, and Windows accepts forward slashes.
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --require "${preload.replaceAll('\\', '/')}"`.trim();
  return { dir, bin, env: { PATH: `${bin}${delimiter}${process.env.PATH}`, NODE_OPTIONS: nodeOptions } };
}
