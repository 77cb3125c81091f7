import { traceCommand } from '../../cli/output.ts';
import { pullImage, saveImage } from '../../commands/local-docker.ts';
import { withDockerAccess } from '../../commands/robot-docker-access.ts';
import { ROBOT_LOCK_WAIT_SECONDS } from '../../commands/robot-lock-script.ts';
import {
  ENSURE_NO_IMAGE,
  ENSURE_PORT_BUSY,
  type EnsureOutcome,
  ensureRegistry,
  loadImage,
  parseEnsureOutput,
  REGISTRY_CONTAINER,
  REGISTRY_IMAGE,
  stopRegistry as stopRegistryCommand,
} from '../../commands/robot-registry.ts';
import { withReconnect } from '../../link/reconnect.ts';
import { withStallGuard } from '../../link/stall-guard.ts';
import { startProcess } from '../../runner/child-process.ts';
import { CommandError, lastLines, runChecked } from '../../runner/runner.ts';
import { joinPosix } from '../../shell/posix-quote.ts';
import type { DeployContext } from '../context.ts';
import type { RobotRun } from '../robot-run.ts';
import type { RobotStep } from '../robot-step.ts';

/**
 * The post's step 2, idempotent: registry:2 on the robot's 127.0.0.1, persistent, restart=always.
 * From here until the pull & tag the robot changes: the deploy holds the robot's lock shared, so a
 * prune (exclusive) waits, and other deploys do not.
 */
export const registry: RobotStep = {
  title: 'registry',
  shipsImages: true,
  async run(ctx, run, show) {
    if (!ctx.recorded) await run.link.takeLock('shared');
    return ensureRunning(ctx, run, show);
  },
};

/** Only on request (registry.ts --stop, cleanup.ts --stop-registry): deploys leave it running for teammates. */
export const stopRegistry: RobotStep = {
  title: 'stop registry',
  async run(_ctx, run) {
    await runChecked(run.link.runner, stopRegistryCommand(), `stopping ${REGISTRY_CONTAINER}`);
    return `${REGISTRY_CONTAINER} stopped on ${run.robot.name}`;
  },
};

async function ensureRunning(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<string> {
  const seen = run.remoteIfProbed?.registry;
  // One published with -p by an older robot-deploy goes through ensure, which recreates it on the host network.
  let outcome = seen?.status === 'running' && seen.port && !seen.published ? seen : await ensureOnce(ctx, run);
  if (outcome.status === 'no-image') {
    report(`${run.robot.name} has no ${REGISTRY_IMAGE}; carrying it over SSH from the laptop`);
    await withReconnect(run.link, `the ${REGISTRY_IMAGE} hand-over`, (signal) => carryRegistryImage(ctx, run, report, signal), report);
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
  const result = await run.link.runner.run(argv, { timeoutMs: (ROBOT_LOCK_WAIT_SECONDS + ctx.config.link.robotTimeoutSeconds) * 1000 });
  const outcome = parseEnsureOutput(result.stdout);
  if (result.code === 0 || result.code === ENSURE_NO_IMAGE || result.code === ENSURE_PORT_BUSY) return outcome;
  throw new CommandError(run.robot.name, argv, result, 'starting the registry');
}

const PLATFORM_OF = ['docker', 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', REGISTRY_IMAGE];

/**
 * A robot at a competition has no internet: stream `docker save registry:2` from the laptop into
 * `docker load` on the robot over the existing SSH connection (no temporary file on either side).
 * `signal` ends the attempt when the link drops, so the caller can reconnect and carry it again.
 */
async function carryRegistryImage(ctx: DeployContext, run: RobotRun, report: (text: string) => void, signal: AbortSignal): Promise<void> {
  const wanted = run.remoteIfProbed?.platform ?? run.robot.platform;
  const have = await ctx.local.run(PLATFORM_OF);
  if (have.code !== 0 || have.stdout.trim() !== wanted) {
    report(`pulling ${REGISTRY_IMAGE} for ${wanted} on the laptop`);
    const pulled = await ctx.local.run(pullImage(REGISTRY_IMAGE, wanted));
    if (pulled.code !== 0) {
      throw new Error(
        `${run.robot.name} has no ${REGISTRY_IMAGE} image and the laptop has none for ${wanted} either ` +
          `(docker pull: ${lastLines(pulled.stderr, 1)}). While online, run \`docker pull --platform ${wanted} ${REGISTRY_IMAGE}\` on the laptop; ` +
          `robot-deploy then carries it to robots that have no internet.`,
      );
    }
  }
  let moved = 0;
  const limitSeconds = ctx.config.link.robotTimeoutSeconds;
  const stalled = () =>
    new Error(
      `carrying ${REGISTRY_IMAGE} to ${run.robot.name} made no progress for ${limitSeconds} s; ` +
        `check \`docker info\` on the robot, or load it there by hand (docker load), or raise ROBOT_TIMEOUT_SECONDS in robots.env`,
    );
  await withStallGuard(
    () => moved,
    limitSeconds * 1000,
    stalled,
    (stall) => streamImage(ctx, run, REGISTRY_IMAGE, AbortSignal.any([signal, stall]), (bytes) => (moved += bytes)),
  );
}

/** docker save | ssh robot docker load; the laptop's docker save is owned by the teardown until it ends. */
function streamImage(ctx: DeployContext, run: RobotRun, ref: string, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<void> {
  const client = run.link.client;
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const load = withDockerAccess(loadImage(), { dockerPath: run.robot.dockerPath, envPrefix: run.robot.envPrefix });
    traceCommand(run.robot.name, load);
    client.exec(joinPosix(load), (error, channel) => {
      if (error) return reject(error);
      // A tar stream of hundreds of MB: piped to the channel, so not through a Runner, which buffers output as text.
      traceCommand('laptop', saveImage(ref));
      const save = startProcess(saveImage(ref));
      const stopSave = ctx.teardown.add(`docker save ${ref} for ${run.robot.name}`, () => void save.kill('SIGKILL'));
      let saveErr = '';
      let loadErr = '';
      const finish = (outcome?: Error) => {
        signal.removeEventListener('abort', abort);
        void stopSave();
        channel.destroy();
        if (outcome) reject(outcome);
        else resolve();
      };
      const abort = () => finish(signal.reason as Error);
      signal.addEventListener('abort', abort, { once: true });
      save.stdout.on('data', (chunk: Buffer) => onBytes(chunk.length));
      save.stderr.on('data', (chunk) => (saveErr += chunk));
      channel.stderr.on('data', (chunk: Buffer) => {
        loadErr += chunk;
        onBytes(chunk.length);
      });
      channel.on('data', (chunk: Buffer) => onBytes(chunk.length));
      save.stdout.pipe(channel);
      save.on('error', (spawnError) => finish(spawnError));
      channel.on('exit', (code: number | null) => {
        if (code === 0) finish();
        else finish(new Error(`carrying ${ref} to ${run.robot.name} failed: ${lastLines(loadErr || saveErr, 2)}`));
      });
      // A link that drops mid-stream closes the channel without an exit status.
      channel.on('close', () => finish(new Error(`carrying ${ref} to ${run.robot.name} was cut off`)));
    });
  });
}
