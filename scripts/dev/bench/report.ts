// The human-readable report: per scenario, the medians, ratios, where robot-deploy's time goes,
// its memory, and for the first deploy how close it comes to what the link allows.

import { megabytes } from '../../lib/cli/display-format.ts';
import { BASE_SIZE_MIB, LINK_BITS_PER_SECOND, LINK_RATE } from './bench-project.ts';
import { CONTENDER_LABELS, type ContenderKey } from './contender.ts';
import type { Results } from './results.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { median, percent, ratio, seconds } from './stats.ts';
import { markdownTable, targetRows } from './targets.ts';

const CONTENDERS: readonly ContenderKey[] = [
  'robot-deploy',
  'robot-deploy-watch',
  'openssh-flow',
  'save-gzip-load',
  'robot-deploy-staged',
  'robot-deploy-upload',
];

function linkSeconds(bytes: number): number {
  return (bytes * 8) / LINK_BITS_PER_SECOND;
}

function scenarioLines(results: Results, scenario: Scenario): string[] {
  const lines = [`\n== ${scenario.title} (${scenario.robotNames.join(' + ')}) ==`, `   ${scenario.method}`];
  for (const key of CONTENDERS.filter((c) => results.runs(scenario.key, c).length)) {
    const runs = results.runs(scenario.key, key);
    const [min, max] = results.range(scenario.key, key);
    lines.push(
      `   ${CONTENDER_LABELS[key].padEnd(15)} median ${seconds(results.medianMs(scenario.key, key)).padStart(9)}` +
        `   (min ${seconds(min)}, max ${seconds(max)}, ${runs.length} runs)   on the link ${megabytes(results.medianWire(scenario.key, key))}`,
    );
  }
  const ours = results.medianMs(scenario.key, results.ours(scenario.key));
  const saveLoad = results.runs(scenario.key, 'save-gzip-load').length
    ? `, ÷ save|gzip|load ${ratio(ours / results.medianMs(scenario.key, 'save-gzip-load'))}`
    : '';
  for (const key of scenario.key.startsWith('ros') && scenario.beforeRun === 'change-top'
    ? CONTENDERS.filter((c) => results.runs(scenario.key, c).length)
    : []) {
    const floor = results.medianFloor(scenario.key, key);
    lines.push(
      `   ${CONTENDER_LABELS[key].padEnd(15)} bytes on the link ÷ floor (gzip of the new files, median ${megabytes(floor)}): ${ratio(results.medianWire(scenario.key, key) / floor)}`,
    );
  }
  if (results.runs(scenario.key, 'openssh-flow').length)
    lines.push(
      `   ${CONTENDER_LABELS[results.ours(scenario.key)]} ÷ OpenSSH flow ${ratio(ours / results.medianMs(scenario.key, 'openssh-flow'))}${saveLoad}`,
    );
  for (const key of ['robot-deploy-staged', 'robot-deploy-upload'] as const)
    if (results.runs(scenario.key, key).length)
      lines.push(`   ${CONTENDER_LABELS[key]} ÷ robot-deploy's own choice ${ratio(results.medianMs(scenario.key, key) / ours)}`);
  if (scenario.key === 'two')
    lines.push(`   robot-deploy, 2 robots ÷ 1 robot (small-change scenario) ${ratio(ours / results.medianMs('small', 'robot-deploy'))}`);
  const ourSteps = results.stepMedians(scenario.key);
  const theirSteps = results.stepMedians(scenario.key, 'openssh-flow');
  lines.push(
    `   steps (median)                   ${'robot-deploy'.padStart(12)}  ${'OpenSSH flow'.padStart(12)}   (robot-deploy's robots run beside its build, so its steps overlap)`,
  );
  for (const step of new Set([...ourSteps.keys(), ...theirSteps.keys()])) {
    const cell = (ms: number | undefined) => (ms === undefined ? '' : seconds(ms)).padStart(12);
    lines.push(`      ${step.padEnd(29)} ${cell(ourSteps.get(step))}  ${cell(theirSteps.get(step))}`);
  }
  const peaks = results.peakMiB(scenario.key);
  if (peaks.length)
    lines.push(`   robot-deploy peak memory (max RSS): median ${median(peaks).toFixed(1)} MiB, max ${Math.max(...peaks).toFixed(1)} MiB`);
  if (scenario.key === 'first') lines.push(...linkFloorLines(results));
  return lines;
}

function linkFloorLines(results: Results): string[] {
  const payload = results.medianTunnelBytes('first');
  const wire = results.medianWire('first', 'robot-deploy');
  const ours = results.medianMs('first', 'robot-deploy');
  const push = results.stepMedians('first').get('sim1 push') ?? NaN;
  const floor = linkSeconds(payload) * 1000;
  return [
    `   link floor: ${megabytes(payload)} through the tunnel (a ${BASE_SIZE_MIB} MiB incompressible base + busybox + top) ÷ ${LINK_RATE}/s = ${seconds(floor)}`,
    `      robot-deploy median ${seconds(ours)}: the floor is ${percent(floor / ours)} of it (${seconds(ours - floor)} above the floor)`,
    `      its push step ${seconds(push)}: ${percent(floor / push)} of the link's speed for the bytes it carries`,
    `      on the wire robot-deploy put ${megabytes(wire)} (SSH, TCP/IP, Ethernet headers included) = ${seconds(linkSeconds(wire) * 1000)} at ${LINK_RATE}`,
  ];
}

export function printReport(results: Results, log: (line: string) => void): void {
  log('\n\n######## Results ########');
  const { node, npx } = results.startupMs;
  log(
    `start-up and module loading alone (deploy.ts --help), median of ${node.length}: ${seconds(median(node))} with node --import tsx ` +
      `(as measured below), ${seconds(median(npx))} with npx tsx (what the README tells users to type)`,
  );
  for (const scenario of SCENARIOS)
    if (results.runs(scenario.key, results.ours(scenario.key)).length) for (const line of scenarioLines(results, scenario)) log(line);
  const rows = targetRows(results);
  log('\nTargets:');
  for (const row of rows)
    log(`   ${row.met ? 'met   ' : 'MISSED'}  ${row.label}: ${row.ratio === '—' ? row.ours : row.ratio} (target ${row.target})`);
  log(`\n${markdownTable(rows)}\n`);
}
