// The post's step 2 alone: make sure registry:2 runs on each robot's 127.0.0.1 (or stop it).
import { parseCommandLine } from './lib/cli/args.ts';
import { answer, complain } from './lib/cli/output.ts';
import { loadRobots } from './lib/config/select.ts';
import { runRobotSteps } from './lib/deploy/pipeline.ts';
import { connect } from './lib/deploy/steps/connect.ts';
import { registry, stopRegistry } from './lib/deploy/steps/registry.ts';
import { dryRunListing } from './lib/deploy/summary.ts';
import { EXIT, runMain } from './lib/entry/main.ts';

const HELP = `
Usage: npx tsx scripts/registry.ts <robot>... | all [--stop] [--env-file FILE] [--dry-run]
       npm run registry -- <robot>... [--stop]

Starts registry:2 on each robot (container robot-deploy-registry, bound to the robot's
127.0.0.1:REGISTRY_PORT, volume robot-deploy-registry, restart=always) unless it already runs.
If the robot has no registry:2 image, it is carried over SSH from the laptop. deploy.ts leaves the
registry running on purpose (a teammate may be pushing); --stop stops it.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    { stop: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    HELP,
  );
  const { config, robots } = loadRobots(values['env-file'], positionals);
  const ctx = await runRobotSteps(
    { config, robots, dryRun: Boolean(values['dry-run']), signal, teardown },
    values.stop ? [connect, stopRegistry] : [connect, registry],
  );
  if (ctx.recorded) answer(dryRunListing(ctx));
  for (const run of ctx.robots) if (run.error) complain(`${run.robot.name}: failed: ${run.error}`);
  return ctx.robots.some((run) => run.error) ? EXIT.failed : EXIT.ok;
});
