import { inspectLaptopEngine, type LaptopEngine } from '../image-build/laptop-engine.ts';
import { ProgramNotFoundError } from '../runner/find-program.ts';
import type { Runner } from '../runner/runner.ts';
import { checkBuilder } from '../setup/builder-step.ts';
import { pushRouteRow } from './push-route-row.ts';
import type { CheckRow } from './table.ts';

const BUILDERS = {
  buildx: 'buildx (BuildKit)',
  buildkit: "docker build with the CLI's own BuildKit (DOCKER_BUILDKIT=1; CLI older than 23)",
  legacy: 'docker build with the legacy builder',
} as const;

export async function diagnoseLaptop(local: Runner): Promise<CheckRow[]> {
  let engine: LaptopEngine;
  try {
    engine = await inspectLaptopEngine(local);
  } catch (error) {
    return [
      {
        scope: 'laptop',
        check: 'docker engine',
        verdict: 'fail',
        detail: (error as Error).message,
        fix:
          error instanceof ProgramNotFoundError
            ? 'install Docker, or put its folder on PATH (see the detail)'
            : 'start Docker Desktop (or dockerd), or point DOCKER_HOST at a running engine',
      },
    ];
  }
  const rows: CheckRow[] = [
    { scope: 'laptop', check: 'docker engine', verdict: 'ok', detail: `${engine.os}: ${engine.version}, ${engine.store} image store` },
    await pushRouteRow(local),
  ];
  if (engine.buildPath === 'legacy') {
    rows.push({
      scope: 'laptop',
      check: 'builder',
      verdict: 'warn',
      detail: `${BUILDERS.legacy}: it re-sends the whole build context every time`,
      fix: 'install the docker buildx plugin (Debian/Ubuntu: docker-buildx; Docker Desktop has it)',
    });
    return rows;
  }
  rows.push({ scope: 'laptop', check: 'builder', verdict: 'ok', detail: BUILDERS[engine.buildPath] });
  if (engine.buildPath !== 'buildx') return rows;
  const builder = await checkBuilder(local);
  rows.push(
    builder.state === 'already done'
      ? { scope: 'laptop', check: 'buildx builder', verdict: 'ok', detail: builder.detail }
      : {
          scope: 'laptop',
          check: 'buildx builder',
          verdict: 'warn',
          detail: builder.detail,
          fix: 'docker buildx use default (on Docker Desktop: docker buildx use desktop-linux)',
        },
  );
  return rows;
}
