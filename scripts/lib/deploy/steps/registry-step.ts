import { ROBOT_LOCK_WAIT_SECONDS } from '../../commands/robot-lock-script.ts';
import {
  ENSURE_NO_IMAGE,
  ENSURE_PORT_BUSY,
  type EnsureOutcome,
  ensureRegistry,
  parseEnsureOutput,
  REGISTRY_CONTAINER,
  REGISTRY_IMAGE,
  stopRegistry,
} from '../../commands/robot-registry.ts';
import { withReconnect } from '../../link/reconnect.ts';
import { CommandError, runChecked } from '../../runner/runner.ts';
import type { DeployContext, RobotRun } from '../context.ts';
import { carryRegistryImage } from './carry-registry-image.ts';

/** The post's step 2, idempotent: registry:2 on the robot's 127.0.0.1, persistent, restart=always. */
export async function registryStep(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<string> {
  const seen = run.remoteIfProbed?.registry;
  // One published with -p by an older robot-deploy goes through ensure, which recreates it on the host network.
  let outcome = seen?.status === 'running' && seen.port && !seen.published ? seen : await ensureOnce(ctx, run);
  if (outcome.status === 'no-image') {
    report(`${run.robot.name} has no ${REGISTRY_IMAGE}; carrying it over SSH from the laptop`);
    await withReconnect(ctx, run, `the ${REGISTRY_IMAGE} hand-over`, (signal) => carryRegistryImage(ctx, run, report, signal), report);
    outcome = await ensureOnce(ctx, run);
  }
  if (outcome.status === 'port-busy') {
    throw new Error(
      `port ${run.robot.registryPort} on ${run.robot.name}'s loopback is taken by something that is not robot-deploy's registry. ` +
        `Set ${run.robot.envPrefix}_REGISTRY_PORT=<free port> (e.g. ${run.robot.registryPort + 1}) in robots.env, or free the port on the robot.`,
    );
  }
  if (!outcome.port)
    throw new Error(
      `the registry on ${run.robot.name} publishes no port for 5000/tcp; remove the container robot-deploy-registry there and retry`,
    );
  if (outcome.exposed)
    ctx.notices.push(
      `${run.robot.name}: the registry is also published on ${outcome.exposed} (reachable from the LAN); recreate it to bind 127.0.0.1 only`,
    );
  run.registryPort = outcome.port;
  if (outcome.status === 'recreated') {
    ctx.notices.push(
      `${run.robot.name}: the registry was published with -p, which Docker before 28 opens to the LAN (moby/moby#45610); recreated on the robot's own 127.0.0.1:${outcome.port}, layers kept`,
    );
  }
  return `registry ${outcome.status} on ${run.robot.name}'s 127.0.0.1:${outcome.port}`;
}

async function ensureOnce(ctx: DeployContext, run: RobotRun): Promise<EnsureOutcome> {
  const argv = ensureRegistry(run.robot.registryPort);
  // A teammate starting the registry at the same moment holds its lock meanwhile.
  const result = await run.runner.run(argv, { timeoutMs: (ROBOT_LOCK_WAIT_SECONDS + ctx.config.link.robotTimeoutSeconds) * 1000 });
  const outcome = parseEnsureOutput(result.stdout);
  if (result.code === 0 || result.code === ENSURE_NO_IMAGE || result.code === ENSURE_PORT_BUSY) return outcome;
  throw new CommandError(run.robot.name, argv, result, 'starting the registry');
}

/** Only on request (registry.ts --stop): deploys leave it running for teammates. */
export async function stopRegistryStep(run: RobotRun): Promise<string> {
  await runChecked(run.runner, stopRegistry(), `stopping ${REGISTRY_CONTAINER}`);
  return `${REGISTRY_CONTAINER} stopped on ${run.robot.name}`;
}
