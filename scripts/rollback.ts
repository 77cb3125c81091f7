// Puts the image a deploy replaced (IMAGE:WS.prev) back under IMAGE:WS, atomically.
import { parseCommandLine } from './lib/cli/args.ts';
import { shortId } from './lib/cli/display-format.ts';
import { complain, say } from './lib/cli/output.ts';
import { imageRef, parseRollback, previousRef, ROLLBACK_NO_CURRENT, ROLLBACK_NO_PREVIOUS, rollback } from './lib/commands/robot-docker.ts';
import { ROBOT_LOCK_WAIT_SECONDS } from './lib/commands/robot-lock-script.ts';
import { loadRobots, selectWorkspaces } from './lib/config/select.ts';
import { EXIT, runMain } from './lib/entry/main.ts';
import { lastLines } from './lib/runner/runner.ts';
import { withRobotConnection } from './lib/ssh/connect.ts';
import { KnownHosts } from './lib/ssh/host-keys.ts';

const HELP = `
Usage: npx tsx scripts/rollback.ts <robot>... | all [--ws NAME]... [--env-file FILE]
       npm run rollback -- <robot> [--ws NAME]

Swaps IMAGE:WS and IMAGE:WS.prev on the robot: the image the last deploy replaced becomes current
(in one \`docker tag\`, so IMAGE:WS is never missing), and the one it replaces becomes the new .prev —
so a second rollback goes forward again. Restart your containers afterwards (on the robot: docker compose up -d).`;

await runMain(async () => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), { ws: { type: 'string', multiple: true } }, HELP);
  const { config, robots } = loadRobots(values['env-file'], positionals);
  const knownHosts = new KnownHosts(config.knownHostsFile);
  let failed = 0;
  for (const robot of robots) {
    const workspaces = selectWorkspaces(config, robot, values.ws ?? []);
    await withRobotConnection(robot, { knownHosts, link: config.link }, async (connection) => {
      for (const ws of workspaces) {
        const current = imageRef(config.image, ws);
        // The script may first wait for the robot's lock (a deploy's pull & tag, a prune, a vanished laptop's holder).
        const timeoutMs = (ROBOT_LOCK_WAIT_SECONDS + config.link.robotTimeoutSeconds) * 1000;
        const result = await connection.runner.run(rollback(current, previousRef(config.image, ws)), { timeoutMs });
        const { current: now, previous: was } = parseRollback(result.stdout);
        if (result.code === 0)
          say(
            `${robot.name}: ${current} is now ${shortId(now)} (rolled back from ${shortId(was)}, which is kept as ${previousRef(config.image, ws)})`,
          );
        else {
          failed++;
          const why =
            result.code === ROLLBACK_NO_CURRENT
              ? `${current} is not on the robot`
              : result.code === ROLLBACK_NO_PREVIOUS
                ? `no previous image (${previousRef(config.image, ws)}) to roll back to`
                : lastLines(result.stderr, 2);
          complain(`${robot.name}: rollback of ${current} failed: ${why}`);
        }
      }
    }).catch((error: Error) => {
      complain(`${robot.name}: ${error.message}`);
      failed++;
    });
  }
  return failed ? EXIT.failed : EXIT.ok;
});
