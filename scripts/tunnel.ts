// The post's step 3 alone: a tunnel from the laptop's 127.0.0.1 to one robot's registry, held until Ctrl-C.
import { parseCommandLine } from './lib/cli/args.ts';
import { answer } from './lib/cli/output.ts';
import { UsageError } from './lib/config/errors.ts';
import { loadRobots } from './lib/config/select.ts';
import { runRobotSteps } from './lib/deploy/pipeline.ts';
import { connect } from './lib/deploy/steps/connect.ts';
import { registry } from './lib/deploy/steps/registry.ts';
import { holdTunnel, tunnel } from './lib/deploy/steps/tunnel.ts';
import { dryRunListing } from './lib/deploy/summary.ts';
import { EXIT, runMain } from './lib/entry/main.ts';

const HELP = `
Usage: npx tsx scripts/tunnel.ts <robot> [--env-file FILE] [--dry-run]
       npm run tunnel -- <robot>

Makes sure the robot's registry runs, then forwards 127.0.0.1:<port> on the laptop (REGISTRY_PORT
when free, else the next free one; never 5000/7000 on macOS) to it over SSH, and waits until /v2/
answers. The tunnel belongs to this process: Ctrl-C (or SIGTERM) closes it; there is no PID file.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), { 'dry-run': { type: 'boolean' } }, HELP);
  const { config, robots } = loadRobots(values['env-file'], positionals);
  if (robots.length !== 1) throw new UsageError('name exactly one robot: a tunnel serves one registry');
  const ctx = await runRobotSteps({ config, robots, dryRun: Boolean(values['dry-run']), signal, teardown }, [
    connect,
    registry,
    tunnel,
    holdTunnel,
  ]);
  if (ctx.recorded) answer(dryRunListing(ctx));
  const [run] = ctx.robots;
  if (run.error) console.error(`${run.robot.name}: ${run.error}`);
  return run.error ? EXIT.failed : EXIT.ok;
});
