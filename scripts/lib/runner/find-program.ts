// Where a laptop program is, looked up on PATH the way it is started: without a shell, so on Windows only an
// .exe or .com can run, and never from the current directory (a docker.exe in a cloned project must not run).
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, isAbsolute, join } from 'node:path';

/** A program that is not on PATH, named with what to do; raised before anything else runs. */
export class ProgramNotFoundError extends Error {
  constructor(
    readonly program: string,
    detail: string,
  ) {
    super(`${program} not found: ${detail}`);
    this.name = 'ProgramNotFoundError';
  }
}

const found = new Map<string, string>();

/** The absolute path of `name` on PATH; a name with a directory in it is taken as it is. */
export function findProgram(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (basename(name) !== name) return name;
  const path = pathOf(env, platform);
  const key = `${platform}\0${name}\0${path}`;
  const cached = found.get(key);
  if (cached) return cached;
  const win = platform === 'win32';
  const names = win && !extname(name) ? [`${name}.exe`, `${name}.com`] : [name];
  for (const dir of path.split(win ? ';' : ':')) {
    if (!dir || !isAbsolute(dir)) continue;
    for (const file of names.map((candidate) => join(dir, candidate))) {
      if (runnable(file, win)) {
        found.set(key, file);
        return file;
      }
    }
  }
  return undefined;
}

/** Windows keeps the variable as Path; a copied environment is no longer case-insensitive. */
function pathOf(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return env.PATH ?? '';
  // As Node's spawn does when several spellings are set: the first in sorted order wins.
  const name = Object.keys(env)
    .sort()
    .find((key) => key.toUpperCase() === 'PATH');
  return (name && env[name]) || '';
}

function runnable(file: string, win: boolean): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (!win) accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const INSTALL: Record<string, string> = {
  docker: 'install Docker (Docker Desktop on Windows and macOS, Docker Engine on Linux)',
};

/** Why `name` is missing, naming what a shell would have found instead (zx's `which` searches as a shell does). */
export function programNotFound(name: string, env: NodeJS.ProcessEnv = process.env): ProgramNotFoundError {
  // Only on this error path: zx takes a few hundred ms to load.
  const { which } = createRequire(import.meta.url)('zx/core') as typeof import('zx/core');
  const seen = which.sync(name, { all: true, nothrow: true, path: pathOf(env, process.platform) }) ?? [];
  const others = seen.map((file) =>
    /\.(cmd|bat|ps1)$/i.test(file)
      ? `${file} needs a shell to run, and robot-deploy starts programs without one`
      : `${file} is in the current directory (or a relative PATH entry), where robot-deploy never starts programs from`,
  );
  const install = INSTALL[name] ?? `install ${name}`;
  const exe = process.platform === 'win32' ? '.exe' : '';
  return new ProgramNotFoundError(
    name,
    `${others.length ? `${others.join('; ')}. ` : 'it is not on PATH. '}${install}, or add the folder that holds ${name}${exe} to PATH, then retry.`,
  );
}
