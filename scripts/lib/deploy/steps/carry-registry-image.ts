import { traceCommand } from '../../cli/output.ts';
import { pullImage, saveImage } from '../../commands/local-docker.ts';
import { withDockerAccess } from '../../commands/robot-docker-access.ts';
import { loadImage, REGISTRY_IMAGE } from '../../commands/robot-registry.ts';
import { startProcess } from '../../runner/child-process.ts';
import { lastLines } from '../../runner/runner.ts';
import { joinPosix } from '../../shell/posix-quote.ts';
import type { DeployContext, RobotRun } from '../context.ts';
import { withStallGuard } from '../stall-guard.ts';

const PLATFORM_OF = ['docker', 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', REGISTRY_IMAGE];

/**
 * A robot at a competition has no internet: stream `docker save registry:2` from the laptop into
 * `docker load` on the robot over the existing SSH connection (no temporary file on either side).
 * `signal` ends the attempt when the link drops, so the caller can reconnect and carry it again.
 */
export async function carryRegistryImage(
  ctx: DeployContext,
  run: RobotRun,
  report: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
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
  const client = run.sshClient;
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
