import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildxPush, parsePushDigest, pushImage, tagImage, untagImage } from '../../commands/local-docker.ts';
import { registryRef } from '../../commands/robot-docker.ts';
import { runChecked } from '../../runner/runner.ts';
import type { DeployContext, RobotRun } from '../context.ts';

/** The post's step 4 (laptop side): only layers the robot's registry lacks cross the tunnel. */
export async function pushStep(ctx: DeployContext, run: RobotRun, progress: (text: string) => void): Promise<string> {
  const tunnel = run.tunnel!;
  const registry = `${ctx.registryHost}:${tunnel.port}`;
  const timer = setInterval(() => progress(`sent ${megabytes(tunnel.bytesToRobot())} through the tunnel`), 500);
  try {
    for (const ws of run.stale) {
      const job = ctx.builds.get(`${run.robot.platform} ${ws}`)!;
      const target = registryRef(registry, ctx.config.image, ws);
      const digest = ctx.buildPath === 'buildx' ? await pushWithBuildx(ctx, job.spec, target) : await pushWithDocker(ctx, job.spec.tag, target);
      run.digests.set(ws, digest);
    }
  } finally {
    clearInterval(timer);
  }
  return `${run.stale.join(', ')}: ${megabytes(tunnel.bytesToRobot())} sent`;
}

async function pushWithDocker(ctx: DeployContext, localTag: string, target: string): Promise<string> {
  await runChecked(ctx.local, tagImage(localTag, target), `tagging ${localTag} for the push`);
  const removeTag = ctx.teardown.add(`temporary tag ${target}`, async () => void (await ctx.localTeardown.run(untagImage(target))));
  try {
    const pushed = await runChecked(ctx.local, pushImage(target), `docker push ${target}`);
    const digest = parsePushDigest(pushed.stdout);
    if (!digest) throw new Error(`docker push ${target} printed no digest`);
    return digest;
  } finally {
    await removeTag();
  }
}

async function pushWithBuildx(ctx: DeployContext, spec: Parameters<typeof buildxPush>[0], target: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'robot-deploy-'));
  const metadataFile = join(dir, 'metadata.json');
  try {
    await runChecked(ctx.local, buildxPush(spec, target, metadataFile), `docker buildx build --output type=registry to ${target}`);
    if (ctx.recorded) return `sha256:${'0'.repeat(64)}`;
    const digest = (JSON.parse(readFileSync(metadataFile, 'utf8')) as Record<string, unknown>)['containerimage.digest'];
    if (typeof digest !== 'string') throw new Error(`buildx pushed ${target} but reported no digest`);
    return digest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function megabytes(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
