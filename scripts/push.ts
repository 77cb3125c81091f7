// The post's step 4 alone: ship images already built on the laptop (no build), then pull + tag on the robots.
import { parseCommandLine } from './lib/cli/args.ts';
import { EXIT, runMain } from './lib/cli/main.ts';
import { loadRobots } from './lib/cli/project.ts';
import { prepareDeploy, runDeploy } from './lib/deploy/pipeline.ts';
import { StepClock } from './lib/deploy/step-clock.ts';
import { reportDeploy } from './lib/deploy/summary.ts';

const HELP = `
Usage: npx tsx scripts/push.ts <robot>... | all [--ws NAME]... [--env-file FILE] [--dry-run] [--timings]
       npm run push -- <robot>... [options]

Like deploy.ts without the build: takes IMAGE:WS as it is on the laptop (run build.ts first),
makes sure the robot's registry runs, opens the tunnel, pushes only missing layers, pulls by
digest on the robot and tags IMAGE:WS (keeping the replaced image as IMAGE:WS.prev). Robots that
already hold the exact image are skipped. On the buildx path the image lives in the builder's
cache, so "push" re-runs the (cached) build with --output type=registry, as in the post.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), {
    ws: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    timings: { type: 'boolean' },
  }, HELP);
  const { config, robots } = loadRobots(values['env-file'], positionals);
  const ctx = await prepareDeploy({ config, robots, wsFlags: values.ws ?? [], dryRun: Boolean(values['dry-run']), useExistingImages: true, signal, teardown });
  const clock = new StepClock();
  await runDeploy(ctx, clock);
  if (signal.aborted) return EXIT.interrupted;
  return reportDeploy(ctx, clock, Boolean(values.timings));
});
