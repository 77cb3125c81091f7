// robot-deploy itself, run the way a user runs it: its own process, its own build, --timings on.
import { fileURLToPath } from 'node:url';
import type { SimRobot } from '../sim/harness.ts';
import type { BenchProject } from './bench-project.ts';
import { commandFailed, runArgv } from './child-processes.ts';
import { type Contender, FORCED_ROUTES, type RunSample } from './contender.ts';
import { parseDeployOutput } from './deploy-output.ts';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY_SCRIPT = fileURLToPath(new URL('../../deploy.ts', import.meta.url));

export type Launcher = 'node --import tsx' | 'npx tsx';

/**
 * `node --import tsx scripts/deploy.ts` (what `npx tsx` ends up running, without npx's own start-up),
 * or `npx tsx scripts/deploy.ts` as users type it (--as-users).
 */
export function deployArgv(
  project: BenchProject,
  robots: SimRobot[],
  extra: string[] = [],
  launcher: Launcher = 'node --import tsx',
): string[] {
  const start = launcher === 'npx tsx' ? ['npx', 'tsx'] : [process.execPath, '--import', 'tsx'];
  return [...start, DEPLOY_SCRIPT, ...robots.map((r) => r.name), '--env-file', project.envFile, ...extra];
}

export function robotDeployContender(
  project: BenchProject,
  launcher: Launcher,
  key: 'robot-deploy' | keyof typeof FORCED_ROUTES = 'robot-deploy',
): Contender {
  const env = key === 'robot-deploy' ? process.env : { ...process.env, RD_PUSH_ROUTE: FORCED_ROUTES[key] };
  return {
    key,
    async deploy(robots): Promise<RunSample> {
      const start = performance.now();
      const finished = await runArgv(deployArgv(project, robots, ['--timings'], launcher), {
        cwd: REPO,
        env,
        allowFail: true,
        timeoutMs: 600_000,
      });
      const ms = performance.now() - start;
      if (finished.code !== 0) throw commandFailed({ ...finished, stderr: `${finished.stdout}\n${finished.stderr}` }, 'deploy.ts');
      const report = parseDeployOutput(finished.stdout);
      if (!report.steps.length || report.peakMiB === undefined)
        throw new Error(`deploy.ts --timings printed no timings:\n${finished.stdout}`);
      return {
        ms,
        steps: report.steps,
        peakMiB: report.peakMiB,
        tunnelBytes: report.tunnelBytes,
        statuses: report.statuses,
        ...(report.pushNotes ? { pushNotes: report.pushNotes } : {}),
      };
    },
  };
}

/** Start-up and module loading alone: `deploy.ts --help` exits right after its imports. */
export async function startupMs(launcher: Launcher): Promise<number> {
  const argv =
    launcher === 'npx tsx' ? ['npx', 'tsx', DEPLOY_SCRIPT, '--help'] : [process.execPath, '--import', 'tsx', DEPLOY_SCRIPT, '--help'];
  const start = performance.now();
  await runArgv(argv, { cwd: REPO, timeoutMs: 60_000 });
  return performance.now() - start;
}
