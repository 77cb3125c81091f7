// Reads the module specifiers a TypeScript/JavaScript file imports, so a test can check which folders depend on which.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// `import x from '…'`, `export … from '…'`, `import '…'`, `import type … from '…'` and `import('…')`.
const SPECIFIER =
  /(?:^|[;\s])(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1|(?:^|[;\s])import\s*(['"])([^'"]+)\3|\bimport\s*\(\s*(['"])([^'"]+)\5\s*\)/gm;
const COMMENT = /\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm;

export function importSpecifiers(source: string): string[] {
  const code = source.replace(COMMENT, '$1');
  return [...code.matchAll(SPECIFIER)].map((m) => m[2] ?? m[4] ?? m[6]);
}

/** Relative specifiers of `file` that resolve into `forbiddenDir` (both absolute paths). */
export function importsInto(file: string, source: string, forbiddenDir: string): string[] {
  return importSpecifiers(source).filter((spec) => {
    if (!spec.startsWith('.')) return false;
    const target = resolve(dirname(file), spec);
    return target === forbiddenDir || target.startsWith(forbiddenDir + sep);
  });
}

/** Files ending in .ts/.mts/.mjs/.js under `dir`; with `recursive: false` only its own files. */
export function sourceFiles(dir: string, recursive = true): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return recursive ? sourceFiles(path) : [];
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

/** `relative/path.ts: 'specifier'` for every import from `files` into `forbiddenDir`. */
export function boundaryViolations(root: string, files: string[], forbiddenDir: string): string[] {
  return files.flatMap((file) =>
    importsInto(file, readFileSync(file, 'utf8'), forbiddenDir).map((spec) => `${relative(root, file).replaceAll(sep, '/')}: '${spec}'`),
  );
}
