// What runs where: per robot and workspace, the robot's image against the laptop's.
import { parseCommandLine } from './lib/cli/args.ts';
import { shortId } from './lib/cli/display-format.ts';
import { answer, complain, say } from './lib/cli/output.ts';
import { loadRobots } from './lib/config/select.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { LocalRunner } from './lib/runner/local-runner.ts';
import { KnownHosts } from './lib/ssh/host-keys.ts';
import { gatherStatus } from './lib/status/gather-status.ts';
import { statusJson } from './lib/status/status-json.ts';

const HELP = `
Usage: npx tsx scripts/status.ts [robot... | all] [--json] [--env-file FILE]
       npm run status -- [robot...]

For each robot (default: all) and workspace: the image on the robot against the laptop's IMAGE:WS
(in sync / stale / missing), when it was deployed, the rollback image, whether the registry runs,
and the disk used by images and by the registry. Exit 1 if a robot cannot be reached.
--json prints one JSON document instead (schema in the README, "JSON output").`;

await runMain(async ({ signal }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' } }, HELP);
  const { config, robots } = loadRobots(values['env-file'], positionals.length ? positionals : ['all']);
  const results = await gatherStatus(config, robots, new LocalRunner(signal), new KnownHosts(config.knownHostsFile));
  if (values.json) answer(JSON.stringify(statusJson(config, results), null, 2));
  for (const { robot, rows, report, error } of results) {
    if (error) complain(`${robot.name}: unreachable — ${error}`);
    if (error || values.json || !report) continue;
    say(`${robot.name}: registry ${report.registry}; images ${report.imagesSize ?? '?'}, registry storage ${report.registrySize ?? '0B'}`);
    for (const row of rows) {
      const when = row.deployedAt ? `deployed ${row.deployedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC` : 'never deployed';
      say(
        `  ${config.image}:${row.ws}  ${row.state.padEnd(7)}  robot ${shortId(row.robotId)}  laptop ${shortId(row.laptopId)}  ${when}  rollback ${shortId(row.previousId)}`,
      );
    }
  }
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
});
