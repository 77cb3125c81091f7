// Frees disk on robots: old deploys, their registry blobs, dangling images.
import { parseCommandLine } from './lib/cli/args.ts';
import { complain } from './lib/cli/output.ts';
import { UsageError } from './lib/config/errors.ts';
import { loadRobots } from './lib/config/select.ts';
import { prepareDeploy, runDeploy } from './lib/deploy/pipeline.ts';
import { connect } from './lib/deploy/steps/connect.ts';
import { registry } from './lib/deploy/steps/registry.ts';
import { tunnel } from './lib/deploy/steps/tunnel.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { pruneStep } from './lib/prune/prune-step.ts';
import { StepClock } from './lib/runner/step-clock.ts';

const HELP = `
Usage: npx tsx scripts/prune.ts <robot>... | all [--keep N] [--env-file FILE]
       npm run prune -- <robot> [--keep N]

Keeps IMAGE:WS and its rollback image IMAGE:WS.prev for every workspace, plus the N newest older
deploys (--keep, default 0). Removes every other image robot-deploy pulled for IMAGE (never another
program's image, never one a container uses), deletes their manifests from the robot's registry and
runs the registry's garbage collection. Reports the bytes freed. It holds the robot's lock: a deploy
to that robot waits for it, and it waits (up to 120 s) for deploys under way.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), { keep: { type: 'string' } }, HELP);
  const keep = Number(values.keep ?? 0);
  if (!Number.isInteger(keep) || keep < 0) throw new UsageError(`--keep ${values.keep}: give a whole number ≥ 0`);
  const { config, robots } = loadRobots(values['env-file'], positionals);
  const ctx = await prepareDeploy({ config, robots, wsFlags: [], dryRun: false, signal, teardown });
  await runDeploy(ctx, new StepClock(), [connect, registry, tunnel, pruneStep(keep)]);
  for (const run of ctx.robots) if (run.error) complain(`${run.robot.name}: failed: ${run.error}`);
  return ctx.robots.some((run) => run.error) ? EXIT.failed : EXIT.ok;
});
