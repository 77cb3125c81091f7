import { readFileSync } from 'node:fs';

/** The version in robot-deploy's own package.json (two levels above scripts/lib/cli). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
