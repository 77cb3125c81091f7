// Checks the laptop and each robot, and says how to fix whatever fails.
import { parseCommandLine } from './lib/cli/args.ts';
import { answer, complain, say } from './lib/cli/output.ts';
import { loadRobots } from './lib/config/select.ts';
import { diagnoseCredentials } from './lib/doctor/diagnose-credentials.ts';
import { diagnoseLaptop } from './lib/doctor/diagnose-laptop.ts';
import { diagnoseRobot } from './lib/doctor/diagnose-robot.ts';
import { doctorJson } from './lib/doctor/doctor-json.ts';
import { type CheckRow, formatTable } from './lib/doctor/table.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { LocalRunner } from './lib/runner/local-runner.ts';
import { KnownHosts } from './lib/ssh/host-keys.ts';

const HELP = `
Usage: npx tsx scripts/doctor.ts [robot... | all] [--json] [--env-file FILE]
       npm run doctor -- [robot...]

Laptop: docker engine, buildx and the robot-deploy builder. robots.env. The ssh-agent (or why it is
skipped) and the key files logins use. Per robot (default: all):
reachable, host key pinned and matching, authenticated, docker usable, platform, registry:2 image,
registry running on 127.0.0.1 only, free disk. Prints a fix for every failing row; exit 1 if any fails.
--json prints one JSON document instead (schema in the README, "JSON output").`;

await runMain(async ({ signal }) => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' } }, HELP);
  const rows: CheckRow[] = await diagnoseLaptop(new LocalRunner(signal));
  let loaded: ReturnType<typeof loadRobots> | undefined;
  try {
    loaded = loadRobots(values['env-file'], positionals.length ? positionals : ['all']);
    rows.push({
      scope: 'laptop',
      check: 'robots.env',
      verdict: 'ok',
      detail: `${loaded.config.file}: ${loaded.config.robots.length} robot(s)`,
    });
  } catch (error) {
    rows.push({
      scope: 'laptop',
      check: 'robots.env',
      verdict: 'fail',
      detail: (error as Error).message.split('\n')[0],
      fix: 'fix the line named above (see README, "Configuration")',
    });
  }
  rows.push(...(await diagnoseCredentials({ sshKey: loaded?.config.sshKey })));
  if (loaded) {
    const knownHosts = new KnownHosts(loaded.config.knownHostsFile);
    for (const robotRows of await Promise.all(loaded.robots.map((robot) => diagnoseRobot(robot, knownHosts)))) rows.push(...robotRows);
  }
  const failed = rows.filter((r) => r.verdict === 'fail').length;
  if (values.json) answer(JSON.stringify(doctorJson(rows), null, 2));
  else {
    say(formatTable(rows));
    if (failed) complain(`\n${failed} check(s) failed.`);
    else say('\nAll checks passed.');
  }
  return failed ? EXIT.failed : EXIT.ok;
});
