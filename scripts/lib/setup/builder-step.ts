import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildxVersion, createBuilder, engineInfo, inspectBuilder } from '../commands/local-docker.ts';
import type { ProjectConfig } from '../config/project-config.ts';
import { lastLines, type Runner } from '../runner/runner.ts';
import { renderBuildkitConfig } from './buildkit-config.ts';
import type { StepReport } from './register-key.ts';

/** Creates the buildx builder once; on a machine without buildx, deploys use plain `docker build`. */
export async function ensureBuilder(local: Runner, config: ProjectConfig): Promise<StepReport> {
  if ((await local.run(buildxVersion())).code !== 0) {
    return {
      state: 'skipped',
      detail:
        'docker buildx is not installed: deploys use plain `docker build` (fine for one platform; install buildx for cross-platform builds)',
    };
  }
  if ((await local.run(inspectBuilder())).code === 0) return { state: 'already done', detail: 'buildx builder robot-deploy exists' };
  const desktop = /Docker Desktop/i.test((await local.run(engineInfo())).stdout);
  const configFile = join(config.dir, 'buildkitd.toml');
  writeFileSync(configFile, renderBuildkitConfig(config.robots.map((r) => r.registryPort)));
  const created = await local.run(createBuilder(configFile, !desktop));
  if (created.code !== 0) return { state: 'failed', detail: `docker buildx create failed: ${lastLines(created.stderr, 2)}` };
  return {
    state: 'done',
    detail: `buildx builder robot-deploy created (${desktop ? 'Docker Desktop: pushes go to host.docker.internal' : 'host network: pushes go to 127.0.0.1'}; ${configFile})`,
  };
}
