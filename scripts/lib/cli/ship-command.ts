import { parseCommandLine } from './args.ts';
import { EXIT, runMain } from './main.ts';

/** deploy.ts and push.ts: the same task list, with or without the build. */
export function runShipCommand(help: string, useExistingImages: boolean): Promise<never> {
  return runMain(async ({ signal, teardown }) => {
    const { values, positionals } = parseCommandLine(process.argv.slice(2), {
      ws: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      timings: { type: 'boolean' },
    }, help);
    // Loaded once the command line is known good: --help and usage errors load none of it.
    const [{ loadRobots }, { prepareDeploy, runDeploy }, { StepClock }, { reportDeploy }] = await Promise.all([
      import('../config/select.ts'), import('../deploy/pipeline.ts'), import('../deploy/step-clock.ts'), import('../deploy/summary.ts'),
    ]);
    const { config, robots } = loadRobots(values['env-file'], positionals);
    const ctx = await prepareDeploy({ config, robots, wsFlags: values.ws ?? [], dryRun: Boolean(values['dry-run']), useExistingImages, signal, teardown });
    const clock = new StepClock();
    await runDeploy(ctx, clock);
    if (signal.aborted) return EXIT.interrupted;
    return reportDeploy(ctx, clock, Boolean(values.timings));
  });
}
