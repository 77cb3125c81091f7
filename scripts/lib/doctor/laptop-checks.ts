import { buildxVersion, engineVersion, inspectBuilder } from '../commands/local-docker.ts';
import { lastLines, type Runner } from '../runner/runner.ts';
import type { CheckRow } from './table.ts';

export async function laptopChecks(local: Runner): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const engine = await local.run(engineVersion());
  rows.push(engine.code === 0
    ? { scope: 'laptop', check: 'docker engine', verdict: 'ok', detail: engine.stdout.trim() }
    : { scope: 'laptop', check: 'docker engine', verdict: 'fail', detail: lastLines(engine.stderr, 1), fix: 'start Docker Desktop (or dockerd), or point DOCKER_HOST at a running engine' });
  const buildx = await local.run(buildxVersion());
  if (buildx.code !== 0) {
    rows.push({ scope: 'laptop', check: 'buildx', verdict: 'warn', detail: 'not installed: deploys use plain docker build (one platform)', fix: 'install the buildx plugin for cross-platform builds, then run scripts/setup.ts' });
    return rows;
  }
  rows.push({ scope: 'laptop', check: 'buildx', verdict: 'ok', detail: buildx.stdout.trim() });
  const builder = await local.run(inspectBuilder());
  rows.push(builder.code === 0
    ? { scope: 'laptop', check: 'buildx builder', verdict: 'ok', detail: 'robot-deploy exists' }
    : { scope: 'laptop', check: 'buildx builder', verdict: 'fail', detail: 'robot-deploy is missing', fix: 'npx tsx scripts/setup.ts' });
  return rows;
}
