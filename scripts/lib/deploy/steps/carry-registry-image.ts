import { spawn } from 'node:child_process';
import { pullImage } from '../../commands/local-docker.ts';
import { REGISTRY_IMAGE, loadImage } from '../../commands/robot-registry.ts';
import { joinPosix } from '../../shell/posix-quote.ts';
import { lastLines } from '../../runner/runner.ts';
import type { DeployContext, RobotRun } from '../context.ts';

const PLATFORM_OF = ['docker', 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', REGISTRY_IMAGE];

/**
 * A robot at a competition has no internet: stream `docker save registry:2` from the laptop into
 * `docker load` on the robot over the existing SSH connection (no temporary file on either side).
 */
export async function carryRegistryImage(ctx: DeployContext, run: RobotRun, report: (text: string) => void): Promise<void> {
  const wanted = run.remote?.platform ?? run.robot.platform;
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
  if (ctx.recorded) {
    ctx.recorded.push({ where: 'laptop', argv: ['docker', 'image', 'save', REGISTRY_IMAGE, '|', 'ssh', run.robot.name, ...loadImage()] });
    return;
  }
  await streamImage(run, REGISTRY_IMAGE);
}

function streamImage(run: RobotRun, ref: string): Promise<void> {
  const client = run.connection!.ssh.connection!;
  return new Promise((resolve, reject) => {
    client.exec(joinPosix(loadImage()), (error, channel) => {
      if (error) return reject(error);
      const save = spawn('docker', ['image', 'save', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
      let saveErr = '';
      let loadErr = '';
      save.stderr.on('data', (chunk) => (saveErr += chunk));
      channel.stderr.on('data', (chunk: Buffer) => (loadErr += chunk));
      save.stdout.pipe(channel);
      save.on('error', reject);
      channel.on('exit', (code: number | null) => {
        if (code === 0) resolve();
        else reject(new Error(`carrying ${ref} to ${run.robot.name} failed: ${lastLines(loadErr || saveErr, 2)}`));
      });
      channel.resume();
    });
  });
}
