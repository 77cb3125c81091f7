// Baseline (a): `docker save IMAGE:WS | gzip | ssh robot docker load`, the classic one-liner,
// as three real processes joined by pipes. It always sends the whole image.
import type { BenchProject } from './bench-project.ts';
import { runArgv, runPipeline } from './child-processes.ts';
import type { Contender, RunSample } from './contender.ts';
import { remoteCommand, sshArgv } from './openssh-argv.ts';

export function saveGzipLoadBaseline(project: BenchProject): Contender {
  return {
    key: 'save-gzip-load',
    async deploy(robots): Promise<RunSample> {
      const start = performance.now();
      await runArgv(project.buildArgv, { timeoutMs: 600_000 });
      // One pipeline per robot, side by side, like `for r in …; do … & done; wait`.
      await Promise.all(
        robots.map((robot) =>
          runPipeline([['docker', 'save', project.ref], ['gzip'], sshArgv(project.fleet, robot, remoteCommand(['docker', 'load']))], {
            timeoutMs: 600_000,
          }),
        ),
      );
      return { ms: performance.now() - start };
    },
  };
}
