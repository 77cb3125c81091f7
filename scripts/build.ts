// The post's step 1 alone: build the workspace images on the laptop.

import { parseCommandLine } from './lib/cli/args.ts';
import { answer, say } from './lib/cli/output.ts';
import { UsageError } from './lib/config/errors.ts';
import { loadProjectConfig, resolveEnvFile } from './lib/config/load-config.ts';
import { platformProblem } from './lib/config/references.ts';
import { selectRobots, selectWorkspaces } from './lib/config/select.ts';
import { isInteractive } from './lib/deploy/context.ts';
import { prepareDeploy, runTaskList } from './lib/deploy/pipeline.ts';
import { dryRunListing, timingLines } from './lib/deploy/summary.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { buildTask } from './lib/image-build/build-tasks.ts';
import { StepClock } from './lib/runner/step-clock.ts';

const HELP = `
Usage: npx tsx scripts/build.ts [robot... | all] [--ws NAME]... [--platform P] [--env-file FILE] [--dry-run]
       npm run build -- [robot...] [options]

Builds IMAGE:WS for each workspace: with docker buildx (into the builder's cache, as in the post)
when buildx is installed, else with plain docker build. With robots named, builds for each of their
platforms; otherwise for --platform or PLATFORM from robots.env.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    {
      ws: { type: 'string', multiple: true },
      platform: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    HELP,
  );
  const config = loadProjectConfig(resolveEnvFile(values['env-file']));
  const robots = positionals.length ? selectRobots(config, positionals) : [];
  if (values.platform && platformProblem(values.platform))
    throw new UsageError(`--platform ${values.platform} ${platformProblem(values.platform)}`);
  const fallback = { ...config.robots[0], platform: values.platform ?? config.platform, workspaces: config.workspaces };
  const pairs = (robots.length ? robots : [fallback]).flatMap((robot) =>
    selectWorkspaces(config, robot, values.ws ?? []).map((ws) => ({ platform: values.platform ?? robot.platform, ws })),
  );
  const ctx = await prepareDeploy({
    config,
    robots: [],
    wsFlags: [],
    buildPairs: pairs,
    dryRun: Boolean(values['dry-run']),
    signal,
    teardown,
  });
  const clock = new StepClock();
  await runTaskList(
    ctx,
    [...ctx.builds.values()].map((job) => buildTask(ctx, job, clock, isInteractive(ctx))),
  );
  if (ctx.recorded) answer(dryRunListing(ctx));
  const results = await Promise.allSettled([...ctx.builds.values()].map((job) => job.result.promise));
  say(timingLines(ctx, clock).join('\n'));
  return results.every((r) => r.status === 'fulfilled') ? EXIT.ok : EXIT.failed;
});
