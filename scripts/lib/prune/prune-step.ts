import { request } from 'node:http';
import { deltaClear } from '../commands/robot-delta.ts';
import { parseInventory, pruneInventory, removeImages } from '../commands/robot-prune.ts';
import { garbageCollect, REGISTRY_VOLUME } from '../commands/robot-registry.ts';
import { PREVIOUS_SUFFIX } from '../config/references.ts';
import type { DeployContext } from '../deploy/context.ts';
import type { RobotRun } from '../deploy/robot-run.ts';
import type { RobotStep } from '../deploy/robot-step.ts';
import { lastLines, runChecked } from '../runner/runner.ts';
import { selectPrunable } from './prune-selection.ts';

/**
 * The post's empty "disk usage" section. Keeps IMAGE:WS and IMAGE:WS.prev of every workspace and
 * the `keepExtra` newest older deploys; every other image robot-deploy pulled goes (see
 * prune-selection.ts), with its registry manifest, then the registry is garbage-collected. Never an
 * image a container uses, nor one of other software.
 */
export const pruneStep = (keepExtra: number): RobotStep => ({ title: 'prune', run: (ctx, run) => prune(ctx, run, keepExtra) });

async function prune(ctx: DeployContext, run: RobotRun, keepExtra: number): Promise<string> {
  // No deploy may push or tag while the registry is garbage-collected and images go.
  if (!ctx.recorded) await run.link.takeLock('exclusive');
  const inventory = async () =>
    parseInventory(
      (await runChecked(run.link.runner, pruneInventory(ctx.config.image, PREVIOUS_SUFFIX, run.workspaces), 'listing images')).stdout,
    );
  const before = await inventory();
  const { doomed, kept } = selectPrunable(before, ctx.config.image, keepExtra);
  const keptDigests = new Set(kept.flatMap((image) => image.digests.map((d) => d.split('@')[1])));
  const manifests = [...new Set(doomed.flatMap((image) => image.digests.map((d) => d.split('@')[1])))].filter((d) => !keptDigests.has(d));
  const tunnel = run.link.tunnel;
  await tunnel.use(async () => {
    for (const digest of manifests) await deleteManifest(tunnel.port, ctx.config.image, digest);
  });
  const gc = await run.link.runner.run(garbageCollect());
  if (gc.code !== 0) throw new Error(`registry garbage collection failed: ${lastLines(gc.stderr || gc.stdout, 2)}`);
  // Interrupted delta transfers keep their work files for a retry; prune frees them.
  await runChecked(run.link.runner, deltaClear(), 'removing delta work files');
  const removal = doomed.length ? await run.link.runner.run(removeImages(doomed.map((image) => image.id))) : undefined;
  const after = await inventory();
  const registryBefore = before.volumes.get(REGISTRY_VOLUME) ?? '0B';
  const registryAfter = after.volumes.get(REGISTRY_VOLUME) ?? '0B';
  const freed =
    parseDockerSize(before.imagesSize) -
    parseDockerSize(after.imagesSize) +
    parseDockerSize(registryBefore) -
    parseDockerSize(registryAfter);
  const refused = removal && removal.code !== 0 ? `; docker refused some: ${lastLines(removal.stderr, 1)}` : '';
  return (
    `removed ${doomed.length} image(s), ${manifests.length} registry manifest(s); kept ${kept.length} (current, rollback` +
    `${keepExtra ? `, up to ${keepExtra} older` : ''}); registry ${registryBefore} → ${registryAfter}, images ${before.imagesSize} → ${after.imagesSize}; ` +
    `freed ${(Math.max(0, freed) / 1e6).toFixed(1)} MB${refused}`
  );
}

function deleteManifest(port: number, image: string, digest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'DELETE', path: `/v2/${image}/manifests/${digest}`, agent: false }, (res) => {
      res.resume();
      if (res.statusCode === 202 || res.statusCode === 404) resolve();
      else if (res.statusCode === 405)
        reject(
          new Error(
            "the robot's registry was created without delete support; run `npx tsx scripts/registry.ts --stop ROBOT`, remove the container robot-deploy-registry on the robot, and deploy again",
          ),
        );
      else reject(new Error(`deleting manifest ${digest} answered HTTP ${res.statusCode}`));
    });
    req.on('error', reject);
    req.end();
  });
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Docker's human sizes ("59.93MB", "0B", "1.2GB") to bytes; unreadable or absent → 0. */
export function parseDockerSize(text: string | undefined): number {
  const match = /^([\d.]+)\s*([kKMGT]?B)$/.exec(text ?? '');
  return match ? Number(match[1]) * (UNITS[match[2]] ?? 1) : 0;
}
