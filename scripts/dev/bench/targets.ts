// The targets, and the final markdown table for the README.
import type { Results } from './results.ts';
import type { ScenarioKey } from './scenarios.ts';
import { ratio, seconds } from './stats.ts';

export const MEMORY_TARGET_MIB = 200;

export interface TargetRow {
  label: string;
  ours: string;
  openssh: string;
  saveLoad: string;
  ratio: string;
  target: string;
  met: boolean;
}

// With `npx tsx` (--as-users) both robot-deploy and the targets include npm's start-up.
const RATIO_TARGETS: readonly { key: ScenarioKey; label: string; limit: number; asUsers?: number }[] = [
  { key: 'first', label: 'first deploy (~150 MB, robot without the image)', limit: 0.85 },
  { key: 'small', label: 'small-change redeploy (top layer only)', limit: 0.8 },
  { key: 'none', label: 'no-change redeploy', limit: 0.5 },
  { key: 'watch', label: 'small change with deploy --watch, from the save to the new image on the robot', limit: 0.35 },
  { key: 'watch-harness', label: "the same in the second harness's workspace (150 MB file in the context, a RUN step)", limit: 0.35 },
  { key: 'ros', label: 'ROS-like workspace, one package (3 of 300 files) rebuilt, 100 Mbit/s, default settings', limit: 1.0 },
  { key: 'ros20', label: 'the same at 20 Mbit/s', limit: 0.5 },
  { key: 'ros2', label: 'the same at 2 Mbit/s', limit: 0.2 },
  { key: 'ros-first', label: 'ROS-like image (~460 MB, compressible), first deploy', limit: 0.8 },
  { key: 'slow', label: '12 MB change over 2 Mbit/s (same bytes for both)', limit: 1.1 },
  { key: 'far', label: 'small change at 50 ms RTT (one connection against four)', limit: 0.5 },
];
const TWO_ROBOTS_LIMIT = 1.3;
/** From a VM engine a small change goes staged; on the same engine with the host's network it would be docker push. */
const STAGED_LIMIT = 1.3;

function times(results: Results, key: ScenarioKey): Pick<TargetRow, 'ours' | 'openssh' | 'saveLoad'> {
  return {
    ours: seconds(results.medianMs(key, results.ours(key))),
    openssh: seconds(results.medianMs(key, 'openssh-flow')),
    saveLoad: results.runs(key, 'save-gzip-load').length ? seconds(results.medianMs(key, 'save-gzip-load')) : '—',
  };
}

/** Rows for the scenarios that ran (--scenario may leave some out). */
export function targetRows(results: Results): TargetRow[] {
  const ran = (key: ScenarioKey) => results.runs(key, results.ours(key)).length > 0;
  const rows: TargetRow[] = RATIO_TARGETS.filter(({ key }) => ran(key) && results.runs(key, 'openssh-flow').length).map(
    ({ key, label, limit: plain, asUsers }) => {
      const limit = results.asUsers && asUsers !== undefined ? asUsers : plain;
      const value = results.medianMs(key, results.ours(key)) / results.medianMs(key, 'openssh-flow');
      return {
        label,
        ...times(results, key),
        ratio: `${ratio(value)} OpenSSH flow`,
        target: `≤ ${limit}× OpenSSH flow`,
        met: value <= limit,
      };
    },
  );
  const two = results.medianMs('two', 'robot-deploy') / results.medianMs('small', 'robot-deploy');
  if (ran('two'))
    rows.push({
      label: 'small change, 2 robots at once',
      ...times(results, 'two'),
      ratio: `${ratio(two)} one robot`,
      target: `≤ ${TWO_ROBOTS_LIMIT}× one robot`,
      met: two <= TWO_ROBOTS_LIMIT,
    });
  const staged = results.medianMs('routes', 'robot-deploy-staged') / results.medianMs('routes', 'robot-deploy');
  if (results.runs('routes', 'robot-deploy-staged').length)
    rows.push({
      label:
        "small change staged in the engine's registry (the route from a VM engine) against robot-deploy's own choice on the same engine",
      ...times(results, 'routes'),
      ratio: `${ratio(staged)} own choice`,
      target: `≤ ${STAGED_LIMIT}× docker push on the same engine`,
      met: staged <= STAGED_LIMIT,
    });
  const peak = Math.max(...results.peakMiB());
  if (results.peakMiB().length)
    rows.push({
      label: 'peak memory of deploy.ts (max RSS, worst run)',
      ours: `${peak.toFixed(1)} MiB`,
      openssh: '—',
      saveLoad: '—',
      ratio: '—',
      target: `≤ ${MEMORY_TARGET_MIB} MiB`,
      met: peak <= MEMORY_TARGET_MIB,
    });
  return rows;
}

export function markdownTable(rows: readonly TargetRow[]): string {
  const head = '| scenario | robot-deploy median | OpenSSH flow median | save\\|gzip\\|load median | ratio | target | met? |';
  const rule = '|---|---:|---:|---:|---:|---|---|';
  const body = rows.map(
    (r) => `| ${r.label} | ${r.ours} | ${r.openssh} | ${r.saveLoad} | ${r.ratio} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`,
  );
  return [head, rule, ...body].join('\n');
}
