import { parseCommandLine } from '../cli/args.ts';
import { UsageError } from '../config/errors.ts';
import { EXIT, runMain } from './main.ts';

/** deploy.ts and push.ts: the same task list, with or without the build. */
export function runShipCommand(help: string, useExistingImages: boolean): Promise<never> {
  return runMain(async ({ signal, teardown }) => {
    const { values, positionals } = parseCommandLine(
      process.argv.slice(2),
      {
        ws: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        timings: { type: 'boolean' },
        watch: { type: 'boolean' },
        'no-delta': { type: 'boolean' },
      },
      help,
    );
    const watch = Boolean(values.watch);
    if (watch && (useExistingImages || values['dry-run']))
      throw new UsageError(`--watch rebuilds on every change: use it with deploy.ts, without --dry-run\n\n${help.trim()}`);
    // Loaded once the command line is known good: --help and usage errors load none of it.
    const [{ loadRobots }, { prepareDeploy, runDeploy }, { DEPLOY_STEPS }, { StepClock }, { reportDeploy }] = await Promise.all([
      import('../config/select.ts'),
      import('../deploy/pipeline.ts'),
      import('../deploy/steps/index.ts'),
      import('../runner/step-clock.ts'),
      import('../deploy/summary.ts'),
    ]);
    const { config, robots } = loadRobots(values['env-file'], positionals);
    const ctx = await prepareDeploy({
      config,
      robots,
      wsFlags: values.ws ?? [],
      dryRun: Boolean(values['dry-run']),
      noDelta: Boolean(values['no-delta']),
      signal,
      teardown,
    });
    const clock = new StepClock();
    const deploy = async () => {
      // --watch keeps each robot's link open for the redeploys.
      await runDeploy(ctx, clock, DEPLOY_STEPS, { existingImages: useExistingImages, finish: watch ? 'release' : 'close' });
      if (signal.aborted) return EXIT.interrupted;
      return reportDeploy(ctx, clock, Boolean(values.timings));
    };
    if (!watch) return deploy();
    const { watchAndRedeploy } = await import('../watch/watch-loop.ts');
    return watchAndRedeploy(ctx, async () => void (await deploy()), Boolean(values.timings));
  });
}
