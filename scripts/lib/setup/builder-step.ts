import { buildxVersion, currentBuilder } from '../commands/local-docker.ts';
import type { Runner } from '../runner/runner.ts';
import type { StepReport } from './register-key.ts';

/**
 * Deploys build with the current buildx builder. The engine's own one (docker driver: `default`, or
 * `desktop-linux` on Docker Desktop) puts images into `docker images`, from where they are pushed or
 * uploaded and the delta reads them. A docker-container builder keeps them in its cache and pushes from
 * its own container, which needs buildkitd.default.toml's plain-HTTP settings and host.docker.internal.
 */
export async function checkBuilder(local: Runner): Promise<StepReport> {
  if ((await local.run(buildxVersion())).code !== 0) {
    return {
      state: 'skipped',
      detail:
        'docker buildx is not installed: deploys use plain `docker build` (fine for one platform; install buildx for cross-platform builds)',
    };
  }
  const inspected = (await local.run(currentBuilder())).stdout;
  const name = /^Name:\s+(\S+)/m.exec(inspected)?.[1] ?? 'unknown';
  const driver = /^Driver:\s+(\S+)/m.exec(inspected)?.[1] ?? 'unknown';
  if (driver === 'docker') return { state: 'already done', detail: `deploys build with the engine's own builder ${name} (docker driver)` };
  return {
    state: 'skipped',
    detail:
      `the current builder ${name} (${driver} driver) keeps images out of docker images: no delta, and its pushes need ` +
      "buildkitd.default.toml's settings; `docker buildx use default` (on Docker Desktop: desktop-linux) builds into docker images",
  };
}
