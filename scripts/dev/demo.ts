// `npm run demo`: one simulated robot on this machine, and a real deploy of the demo workspace to it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EXIT, runMain } from '../lib/entry/main.ts';
import { assertSimHost, DEMO_IMAGE, DEMO_WORKSPACE, SimHostError, upSimFleet } from './sim/harness.ts';
import { stateFiles } from './sim/state.ts';

const HELP = `Usage: npm run demo   (Linux, as root)

Starts one simulated robot "sim1" (a network namespace with its own sshd and dockerd, see
scripts/dev/sim-robot.ts), writes robots.env for it and deploys the demo workspace with deploy.ts.`;

await runMain(async () => {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return EXIT.ok;
  }
  try {
    assertSimHost();
  } catch (error) {
    if (!(error instanceof SimHostError)) throw error;
    console.error(
      `npm run demo: ${error.message}. On Linux run it as root (sudo npm run demo); elsewhere deploy to a real robot (README, "Configuration").`,
    );
    return EXIT.usage;
  }
  console.log('Starting simulated robot sim1 …');
  const fleet = await upSimFleet({ names: ['sim1'] });
  const envFile = stateFiles(fleet.stateDir).robotsEnv;
  await fleet.writeRobotsEnv(envFile);
  const deployArgs = ['scripts/deploy.ts', 'sim1', '--env-file', envFile];
  console.log(`Deploying: npx tsx ${deployArgs.join(' ')}\n`);
  const deploy = spawnSync(process.execPath, ['--import', 'tsx', ...deployArgs], { stdio: 'inherit' });
  if (deploy.status !== 0) return deploy.status ?? EXIT.failed;
  const robot = fleet.robot('sim1');
  const ran = spawnSync('docker', ['run', '--rm', `${DEMO_IMAGE}:${DEMO_WORKSPACE}`], {
    env: robot.dockerEnv(),
    encoding: 'utf8',
  });
  const message = join(fleet.workspaceDir, DEMO_WORKSPACE, 'message.txt');
  console.log(`
The robot now runs ${DEMO_IMAGE}:${DEMO_WORKSPACE}, which prints: ${ran.stdout.trim() || ran.stderr.trim()}

Deploy again after a change (only the changed layer travels):
  echo "Hello again" > ${message}
  npx tsx ${deployArgs.join(' ')}
See what runs there:      npx tsx scripts/status.ts sim1 --env-file ${envFile}
Tear it all down:         npx tsx scripts/dev/sim-robot.ts down --all   (the robot, and the laptop dockerd if the demo started one)`);
  return EXIT.ok;
});
