// One robots.env value each: parsed, or refused with the file, line and what to write instead.
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { expandHome } from '../files/home-path.ts';
import type { EnvEntry } from './env-lines.ts';
import { configError } from './errors.ts';
import { DEFAULTS } from './project-config.ts';
import { workspaceProblem } from './references.ts';

export function checkValue(file: string, entry: EnvEntry, problem: (v: string) => string | undefined): void {
  const text = problem(entry.value);
  if (text) throw configError(file, entry.line, `${entry.key}="${entry.value}" ${text}`);
}

export function checked(file: string, entry: EnvEntry | undefined, problem: (v: string) => string | undefined): string | undefined {
  if (!entry) return undefined;
  checkValue(file, entry, problem);
  return entry.value;
}

export function workspaceList(file: string, entry: EnvEntry | undefined): string[] | undefined {
  if (!entry) return undefined;
  const names = entry.value
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  for (const name of names) checkValue(file, { ...entry, value: name }, workspaceProblem);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw configError(file, entry.line, `${entry.key} lists "${twice}" twice`);
  return names;
}

export function portValue(file: string, entry: EnvEntry | undefined): number | undefined {
  if (!entry) return undefined;
  const port = Number(entry.value);
  if (!/^\d+$/.test(entry.value) || port < 1 || port > 65535) {
    throw configError(file, entry.line, `${entry.key}="${entry.value}" is not a port number between 1 and 65535`);
  }
  return port;
}

export function secondsValue(file: string, entry: EnvEntry | undefined, min = 0): number | undefined {
  if (!entry) return undefined;
  if (!/^\d+$/.test(entry.value) || Number(entry.value) < min || Number(entry.value) > 3600) {
    throw configError(file, entry.line, `${entry.key}="${entry.value}" is not a number of seconds from ${min} to 3600`);
  }
  return Number(entry.value);
}

export function countValue(file: string, entry: EnvEntry | undefined): number | undefined {
  if (!entry) return undefined;
  if (!/^\d+$/.test(entry.value) || Number(entry.value) < 1 || Number(entry.value) > 100) {
    throw configError(file, entry.line, `${entry.key}="${entry.value}" is not a whole number from 1 to 100`);
  }
  return Number(entry.value);
}

export function keyPath(entry: EnvEntry | undefined, dir: string): string | undefined {
  if (!entry || entry.value === '') return undefined;
  const value = expandHome(entry.value);
  return isAbsolute(value) ? value : resolve(dir, value);
}

export function contextDir(file: string, dir: string, entry: EnvEntry | undefined): string {
  const wanted = resolve(dir, entry?.value ?? DEFAULTS.context);
  if (!existsSync(wanted)) throw configError(file, entry?.line, `CONTEXT directory ${wanted} does not exist`);
  // Symlinks are resolved first: a build context may only read the project beside robots.env.
  const inside = relative(realpathSync(dir), realpathSync(wanted));
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw configError(
      file,
      entry?.line,
      `CONTEXT=${entry?.value} points outside ${dir}; keep the build context inside the project that holds robots.env`,
    );
  }
  return wanted;
}

/** DELTA=on|off|auto. */
export function deltaSetting(file: string, entry: EnvEntry | undefined): boolean | 'auto' | undefined {
  if (!entry) return undefined;
  if (entry.value === 'auto') return 'auto';
  if (entry.value === 'on' || entry.value === 'off') return entry.value === 'on';
  throw configError(file, entry.line, `${entry.key}=${entry.value}: use on, off or auto`);
}
