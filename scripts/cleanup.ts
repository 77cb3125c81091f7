// The post's step 5 alone. A deploy closes its own tunnel and SSH connection on every way out, so
// what can be left is a temporary push tag from a killed run (kill -9) and, on request, the registry.
import { parseCommandLine } from './lib/cli/args.ts';
import { complain, say } from './lib/cli/output.ts';
import { LAPTOP_REGISTRY, removeLaptopRegistry, removeLaptopRegistryVolume } from './lib/commands/laptop-registry.ts';
import { listPushTags, untagImage } from './lib/commands/local-docker.ts';
import { loadProjectConfig, resolveEnvFile } from './lib/config/load-config.ts';
import { selectRobots } from './lib/config/select.ts';
import { runRobotSteps } from './lib/deploy/pipeline.ts';
import { connect } from './lib/deploy/steps/connect.ts';
import { stopRegistry } from './lib/deploy/steps/registry.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { LocalRunner } from './lib/runner/local-runner.ts';

const HELP = `
Usage: npx tsx scripts/cleanup.ts [--stop-registry <robot>... | all] [--laptop-registry] [--env-file FILE]
       npm run cleanup

Removes temporary push tags (127.0.0.1:<port>/IMAGE:*) that a killed deploy may have left on the
laptop. Tunnels need no clean-up: each belongs to the process that opened it and closes with it.
--stop-registry also stops the registry on the named robots (deploys leave it running on purpose).
--laptop-registry removes the registry a deploy keeps in a laptop engine that runs in a VM (Docker
Desktop, colima, Rancher Desktop), with its volume: the disk it holds comes back, and the next deploy
starts a new one and pushes the whole image into it once.`;

await runMain(async ({ signal, teardown }) => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    { 'stop-registry': { type: 'boolean' }, 'laptop-registry': { type: 'boolean' } },
    HELP,
  );
  const config = loadProjectConfig(resolveEnvFile(values['env-file']));
  // Robot names are checked before anything runs, even though the tags go first.
  const robots = values['stop-registry'] ? selectRobots(config, positionals) : [];
  const local = new LocalRunner(signal);
  const tags = (await local.run(listPushTags(config.image))).stdout.split('\n').filter(Boolean);
  for (const tag of tags) {
    const removed = await local.run(untagImage(tag));
    (removed.code === 0 ? say : complain)(`${removed.code === 0 ? 'removed' : 'could not remove'} temporary tag ${tag}`);
  }
  if (tags.length === 0) say(`no temporary push tags of ${config.image} on the laptop`);
  if (values['laptop-registry']) {
    for (const argv of [removeLaptopRegistry(), removeLaptopRegistryVolume()]) await local.run(argv);
    say(`removed ${LAPTOP_REGISTRY} and its volume from the laptop's engine (if it had them)`);
  }
  if (!values['stop-registry']) return EXIT.ok;
  const ctx = await runRobotSteps({ config, robots, dryRun: false, signal, teardown }, [connect, stopRegistry]);
  for (const run of ctx.robots) if (run.error) complain(`${run.robot.name}: failed: ${run.error}`);
  return ctx.robots.some((run) => run.error) ? EXIT.failed : EXIT.ok;
});
