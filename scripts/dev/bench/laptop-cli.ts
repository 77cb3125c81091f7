// Which docker CLI the benchmark's laptop side uses (--docker puts one first on PATH for every
// contender), and whether its `docker build` is BuildKit, as the post's buildx build is.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runArgv } from './child-processes.ts';

export interface LaptopCli {
  path: string;
  version: string;
  buildkit: boolean;
}

/** Puts `cli` first on PATH through a directory of its own (so nothing else on PATH moves). */
export function preferDockerCli(cli: string, stateDir: string): void {
  const dir = join(stateDir, 'docker-cli');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(cli, join(dir, 'docker'));
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
}

/**
 * A CLI older than 23 has BuildKit built in (DOCKER_BUILDKIT=1); a newer one through the buildx
 * plugin. When either is there, DOCKER_BUILDKIT=1 makes the baselines' `docker build` use it.
 */
export async function describeLaptopCli(): Promise<LaptopCli> {
  const which = await runArgv(['sh', '-c', 'command -v docker'], { allowFail: true });
  const version = (await runArgv(['docker', 'version', '--format', '{{.Client.Version}}'], { allowFail: true })).stdout.trim();
  const major = Number(version.split('.')[0]);
  const buildx = (await runArgv(['docker', 'buildx', 'version'], { allowFail: true })).code === 0;
  const buildkit = major < 23 || buildx;
  if (buildkit) process.env.DOCKER_BUILDKIT = '1';
  return { path: which.stdout.trim(), version, buildkit };
}
