import type { DeployContext } from './context.ts';

/** Live progress on a terminal; in CI, pipes and dry runs, plain lines that read well in a log. */
export function isInteractive(ctx: Pick<DeployContext, 'recorded'>): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI && !ctx.recorded;
}
