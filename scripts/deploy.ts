// Builds the workspace images and lands them on the robots: the post's steps 1-5 as one task list.
import { parseCommandLine } from './lib/cli/args.ts';
import { EXIT, runMain } from './lib/cli/main.ts';
import { loadProjectConfig, resolveEnvFile } from './lib/config/load-config.ts';
import { selectRobots } from './lib/config/select.ts';
import { prepareDeploy, runDeploy } from './lib/deploy/pipeline.ts';
import { StepClock } from './lib/deploy/step-clock.ts';
import { dryRunListing, robotStatus, summaryLines, timingLines } from './lib/deploy/summary.ts';

const HELP = `
Usage: npx tsx scripts/deploy.ts <robot>... | all [options]
       npm run deploy -- <robot>... [options]

Builds IMAGE:WS for each workspace, and on every robot: starts its registry (127.0.0.1 only),
opens a tunnel over SSH, pushes only the missing layers, pulls and tags IMAGE:WS (the image it
replaces is kept as IMAGE:WS.prev), then closes the tunnel. Robots are deployed concurrently.

Options:
  --ws NAME         workspace to deploy (repeatable); default: WORKSPACES from robots.env
  --env-file FILE   robots.env to use (default: $ROBOTS_ENV or ./robots.env)
  --dry-run         print the exact commands per host; run nothing
  --timings         print the wall time of every step
  -h, --help        this help

Exit codes: 0 done, 1 a robot failed, 2 usage or config error, 130 Ctrl-C, 143 SIGTERM.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), {
    ws: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    timings: { type: 'boolean' },
  }, HELP);
  const config = loadProjectConfig(resolveEnvFile(values['env-file']));
  const robots = selectRobots(config, positionals);
  const ctx = await prepareDeploy({ config, robots, wsFlags: values.ws ?? [], dryRun: Boolean(values['dry-run']), signal, teardown });
  const buildClock = new StepClock();
  await runDeploy(ctx, buildClock);
  if (signal.aborted) return EXIT.interrupted;
  if (ctx.recorded) console.log(`\n${dryRunListing(ctx)}`);
  for (const notice of ctx.notices) console.log(`note: ${notice}`);
  if (values.timings) console.log(`\nTimings:\n${timingLines(ctx, buildClock).join('\n')}`);
  console.log(`\nSummary:\n${summaryLines(ctx).join('\n')}`);
  return ctx.robots.some((run) => robotStatus(run) === 'failed') ? EXIT.failed : EXIT.ok;
});
