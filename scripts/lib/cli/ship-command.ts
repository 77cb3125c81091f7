import { prepareDeploy, runDeploy } from '../deploy/pipeline.ts';
import { StepClock } from '../deploy/step-clock.ts';
import { reportDeploy } from '../deploy/summary.ts';
import { parseCommandLine } from './args.ts';
import { EXIT, runMain } from './main.ts';
import { loadRobots } from '../config/select.ts';

/** deploy.ts and push.ts: the same task list, with or without the build. */
export function runShipCommand(help: string, useExistingImages: boolean): Promise<never> {
  return runMain(async ({ signal, teardown }) => {
    const { values, positionals } = parseCommandLine(process.argv.slice(2), {
      ws: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      timings: { type: 'boolean' },
      'no-delta': { type: 'boolean' },
    }, help);
    const { config, robots } = loadRobots(values['env-file'], positionals);
    const ctx = await prepareDeploy({ config, robots, wsFlags: values.ws ?? [], dryRun: Boolean(values['dry-run']), useExistingImages, noDelta: Boolean(values['no-delta']), signal, teardown });
    const clock = new StepClock();
    await runDeploy(ctx, clock);
    if (signal.aborted) return EXIT.interrupted;
    return reportDeploy(ctx, clock, Boolean(values.timings));
  });
}
