import { megabytes, shortId } from '../cli/display-format.ts';
import { answer, complain, say } from '../cli/output.ts';
import { previousRef } from '../commands/robot-docker.ts';
import { formatSshTarget } from '../config/ssh-target.ts';
import { formatRecorded } from '../runner/recording-runner.ts';
import type { StepClock } from '../runner/step-clock.ts';
import type { DeployContext } from './context.ts';
import type { RobotRun } from './robot-run.ts';

export type RobotStatus = 'deployed' | 'up to date' | 'failed';

export function robotStatus(run: RobotRun): RobotStatus {
  if (run.error) return 'failed';
  return [...run.outcomes.values()].some((o) => o.kind === 'deployed') ? 'deployed' : 'up to date';
}

/** The closing table: robot → deployed / up to date / failed: why. */
export function summaryLines(ctx: DeployContext): string[] {
  const width = Math.max(...ctx.robots.map((r) => r.robot.name.length));
  return ctx.robots.map((run) => {
    const status = robotStatus(run);
    const head = `${run.robot.name.padEnd(width)}  ${status.padEnd(10)}`;
    if (status === 'failed') return `${head}  ${run.error}`;
    const parts = run.workspaces.map((ws) => {
      const outcome = run.outcomes.get(ws);
      if (!outcome) return `${ctx.config.image}:${ws} not finished`;
      const id = shortId(outcome.id);
      if (outcome.kind === 'up-to-date') return `${ctx.config.image}:${ws} ${id} (already there)`;
      return `${ctx.config.image}:${ws} ${id}${outcome.previous ? `, previous ${shortId(outcome.previous)} kept as ${previousRef(ctx.config.image, ws)}` : ''}`;
    });
    // The tunnel's counter survives reconnects and closing, so it is the robot's total.
    const sent = status === 'deployed' ? `; ${megabytes(run.link.tunnelIfAny?.bytesToRobot() ?? 0)} through the tunnel` : '';
    return `${head}  ${parts.join('; ')}${sent}`;
  });
}

export function timingLines(ctx: DeployContext, buildClock: StepClock): string[] {
  const lines = buildClock.steps.map((s) => `laptop  ${s.name.padEnd(24)} ${(s.ms / 1000).toFixed(2)} s`);
  for (const run of ctx.robots)
    for (const s of run.clock.steps) lines.push(`${run.robot.name}  ${s.name.padEnd(24)} ${(s.ms / 1000).toFixed(2)} s`);
  return lines;
}

export function dryRunListing(ctx: DeployContext): string {
  const labels = Object.fromEntries(
    ctx.robots.map((r) => [r.robot.name, `${r.robot.name} (over SSH to ${formatSshTarget(r.robot.target)})`]),
  );
  return `Dry run: nothing was run. Commands per host (digests and IDs known only after the real build/push show as sha256:000…):\n${formatRecorded(ctx.recorded ?? [], labels)}`;
}

/** The end of deploy.ts and push.ts: notices, timings, the summary table (failed robots on stderr); exit 1 if any robot failed. */
export function reportDeploy(ctx: DeployContext, buildClock: StepClock, timings: boolean): number {
  if (ctx.recorded) answer(`\n${dryRunListing(ctx)}`);
  for (const notice of ctx.notices) say(`note: ${notice}`);
  if (timings)
    answer(
      `\nTimings:\n${timingLines(ctx, buildClock).join('\n')}\npeak memory (max RSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB`,
    );
  say(`\nSummary${ctx.recorded ? ' (dry run: what would happen, nothing was deployed)' : ''}:`);
  const lines = summaryLines(ctx);
  ctx.robots.forEach((run, index) => {
    (robotStatus(run) === 'failed' ? complain : say)(lines[index]);
  });
  return ctx.robots.some((run) => robotStatus(run) === 'failed') ? 1 : 0;
}
