import type { ListrTask } from 'listr2';
import { shortId } from '../cli/display-format.ts';
import type { Runner } from '../runner/runner.ts';
import type { StepClock } from '../runner/step-clock.ts';
import type { BuildJob, BuildPath } from './build-job.ts';
import { describeLocalImage, runBuild } from './laptop-build.ts';

const BUILDER_NAMES = {
  buildx: 'docker buildx build',
  buildkit: 'docker build with BuildKit',
  legacy: 'docker build, legacy builder: install buildx for BuildKit',
} as const;

/** What a build needs of the deploy: the laptop's runner and the builder it found. */
export interface BuildDeps {
  local: Runner;
  buildPath: BuildPath;
}

/** One listr task per shared build; robots wait on its result, so a failure reaches each of them. */
export function buildTask<Ctx>(
  ctx: BuildDeps,
  job: BuildJob,
  clock: StepClock,
  interactive: boolean,
  existingImages = false,
): ListrTask<Ctx> {
  // A buildx image lives in the builder's cache, so "existing" there means a cached rebuild.
  if (existingImages && ctx.buildPath !== 'buildx') return existingImageTask(ctx, job);
  const title = `build ${job.spec.tag} for ${job.platform} (${BUILDER_NAMES[ctx.buildPath]})`;
  return {
    title,
    task: async (_ctx, task) => {
      try {
        // Build logs scroll in a terminal; in CI logs only the failure's last lines are shown.
        const show = interactive ? (chunk: string) => (task.output = chunk.trim().split('\n').pop()?.slice(0, 160) ?? '') : undefined;
        const built = await clock.time(`build ${job.ws}`, () => runBuild(ctx.local, ctx.buildPath, job.spec, show));
        job.result.resolve(built);
        task.title = `${title}: ${shortId(built.id)}`;
      } catch (error) {
        const failure = new Error(`build failed — ${(error as Error).message}`);
        job.result.reject(failure);
        throw failure;
      }
    },
  };
}

function existingImageTask<Ctx>(ctx: BuildDeps, job: BuildJob): ListrTask<Ctx> {
  return {
    title: `use the laptop's ${job.spec.tag}`,
    task: async (_ctx, task) => {
      const found = await describeLocalImage(ctx.local, job.spec.tag);
      if (!found.localId) {
        const error = new Error(`no image ${job.spec.tag} on the laptop; build it first with \`npm run build -- --ws ${job.ws}\``);
        job.result.reject(error);
        throw error;
      }
      job.result.resolve({ ...found, id: found.localId });
      task.title = `use the laptop's ${job.spec.tag}: ${shortId(found.localId)}`;
    },
  };
}
