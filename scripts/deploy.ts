// Builds the workspace images and lands them on the robots: the post's steps 1-5 as one task list.
import { runShipCommand } from './lib/entry/ship-command.ts';

const HELP = `
Usage: npx tsx scripts/deploy.ts <robot>... | all [options]
       npm run deploy -- <robot>... [options]

Builds IMAGE:WS for each workspace, and on every robot: starts its registry (127.0.0.1 only),
opens a tunnel over SSH, pushes only the missing layers, pulls and tags IMAGE:WS (the image it
replaces is kept as IMAGE:WS.prev), then closes the tunnel. Robots are deployed concurrently.

Options:
  --ws NAME         workspace to deploy (repeatable); default: WORKSPACES from robots.env
  --env-file FILE   robots.env to use (default: $ROBOTS_ENV or ./robots.env)
  --dry-run         print the exact commands per host; run nothing
  --timings         print the wall time of every step
  --watch           after the deploy, keep the SSH connections and tunnels open, watch the build
                    context (not .git, not what .dockerignore excludes) and redeploy on every
                    save: one line per robot per redeploy, with the time since the save.
                    Ctrl-C closes everything
  --no-delta        send rebuilt layers whole (docker push), not as a delta against the robot's earlier image
  -h, --help        this help

Exit codes: 0 done, 1 a robot failed, 2 usage or config error, 130 Ctrl-C, 143 SIGTERM.`;

await runShipCommand(HELP, false);
