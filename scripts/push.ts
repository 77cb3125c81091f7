// The post's step 4 alone: ship images already built on the laptop (no build), then pull + tag on the robots.
import { runShipCommand } from './lib/entry/ship-command.ts';

const HELP = `
Usage: npx tsx scripts/push.ts <robot>... | all [--ws NAME]... [--env-file FILE] [--dry-run] [--timings] [--no-delta]
       npm run push -- <robot>... [options]

Like deploy.ts without the build: takes IMAGE:WS as it is on the laptop (run build.ts first),
makes sure the robot's registry runs, opens the tunnel, pushes only missing layers, pulls by
digest on the robot and tags IMAGE:WS (keeping the replaced image as IMAGE:WS.prev). Robots that
already hold the exact image are skipped. A rebuilt layer travels as a delta against the robot's
earlier image unless --no-delta (or DELTA=off in robots.env). On the buildx path the image lives in the builder's
cache, so "push" re-runs the (cached) build with --output type=registry, as in the post.`;

await runShipCommand(HELP, true);
