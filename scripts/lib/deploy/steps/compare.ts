import { sameImage } from '../../commands/image-identity.ts';
import { imageRef } from '../../commands/robot-docker.ts';
import { buildFor } from '../context.ts';
import type { RobotStep } from '../robot-step.ts';

/** Waits for the shared builds, then keeps only workspaces whose robot image differs. */
export const compareWithBuild: RobotStep = {
  title: 'compare with the build',
  needsBuilds: true,
  comparesBuild: true,
  async run(ctx, run) {
    run.stale = [];
    for (const ws of run.workspaces) {
      const built = await buildFor(ctx, run, ws).result.promise;
      const onRobot = run.remote.images.get(imageRef(ctx.config.image, ws));
      if (onRobot && sameImage(built, onRobot)) run.outcomes.set(ws, { kind: 'up-to-date', id: built.id });
      else run.stale.push(ws);
    }
    const fresh = run.workspaces.filter((ws) => !run.stale.includes(ws));
    return fresh.length ? `up to date: ${fresh.join(', ')}` : `to deploy: ${run.stale.join(', ')}`;
  },
};
