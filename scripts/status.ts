// What runs where: per robot and workspace, the robot's image against the laptop's.
import { parseCommandLine } from './lib/cli/args.ts';
import { EXIT, runMain } from './lib/cli/main.ts';
import { loadRobots } from './lib/config/select.ts';
import { LocalRunner } from './lib/runner/local-runner.ts';
import { KnownHosts } from './lib/ssh/host-keys.ts';
import { gatherStatus } from './lib/status/gather-status.ts';

const HELP = `
Usage: npx tsx scripts/status.ts [robot... | all] [--env-file FILE]
       npm run status -- [robot...]

For each robot (default: all) and workspace: the image on the robot against the laptop's IMAGE:WS
(in sync / stale / missing), when it was deployed, the rollback image, whether the registry runs,
and the disk used by images and by the registry. Exit 1 if a robot cannot be reached.`;

const short = (id?: string) => (id ? id.slice(7, 19) : '-');

await runMain(async ({ signal }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), {}, HELP);
  const { config, robots } = loadRobots(values['env-file'], positionals.length ? positionals : ['all']);
  const results = await gatherStatus(config, robots, new LocalRunner(signal), new KnownHosts(config.knownHostsFile));
  for (const { robot, rows, report, error } of results) {
    if (error) {
      console.log(`${robot.name}: unreachable — ${error}`);
      continue;
    }
    console.log(`${robot.name}: registry ${report!.registry}; images ${report!.imagesSize ?? '?'}, registry storage ${report!.registrySize ?? '0B'}`);
    for (const row of rows) {
      const when = row.deployedAt ? `deployed ${row.deployedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC` : 'never deployed';
      console.log(`  ${config.image}:${row.ws}  ${row.state.padEnd(7)}  robot ${short(row.robotId)}  laptop ${short(row.laptopId)}  ${when}  rollback ${short(row.previousId)}`);
    }
  }
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
});
