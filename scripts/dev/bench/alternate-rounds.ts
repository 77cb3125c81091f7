// Runs one scenario: set-up, then rounds in which the contenders take turns (A B C A B C …),
// each run checked afterwards so a sample only counts if it did what the scenario says.
import { randomBytes, randomUUID } from 'node:crypto';
import { megabytes } from '../../lib/cli/display-format.ts';
import type { SimRobot } from '../sim/harness.ts';
import { type BenchProject, buildOnLaptop, type LaptopImages, LINK_RATE } from './bench-project.ts';
import { CONTENDER_LABELS, type Contender, type ContenderKey, FORCED_ROUTES, type RunSample } from './contender.ts';
import {
  assertRobotHolds,
  assertRobotLacksBase,
  baseLayerStored,
  bytesToRobot,
  contentOn,
  imageIdOn,
  laptopLayers,
  wipeRobot,
} from './robot-checks.ts';
import type { Scenario, ScenarioKey } from './scenarios.ts';
import { seconds } from './stats.ts';

export interface Sample {
  scenario: ScenarioKey;
  contender: ContenderKey;
  round: number;
  /** Bytes put on each robot's link, in scenario.robotNames order. */
  wireBytes: number[];
  /** The scenario's floor for this run's change (ROS-like rebuilds: the gzip of the new files). */
  floorBytes?: number;
  run: RunSample;
}

export interface RoundsEnv {
  project: BenchProject;
  contenders: readonly Contender[];
  laptopImages: LaptopImages;
  log(line: string): void;
}

/** One run; round 0 is an unmeasured warm-up (still checked for the right image). */
async function runOnce(env: RoundsEnv, scenario: Scenario, robots: SimRobot[], contender: Contender, round: number): Promise<Sample> {
  const project = contender.project ?? env.project;
  if (scenario.beforeRun === 'wipe-robots') {
    const layers = await laptopLayers(project.ref);
    for (const robot of robots) {
      await wipeRobot(robot);
      await assertRobotLacksBase(robot, layers);
    }
  }
  // Read before the save: deploy --watch starts as soon as the file changes.
  const contentBefore = await contentOn(undefined, project.ref);
  const onRobotsBefore = await Promise.all(robots.map((robot) => contentOn(robot, project.ref)));
  const wireBefore = robots.map(bytesToRobot);
  let savedAt: number | undefined;
  if (scenario.beforeRun === 'change-top' && round > 0) {
    const label = `${scenario.key} ${contender.key} round ${round} ${randomUUID()}`;
    savedAt = performance.now();
    await project.workspace.setTop(scenario.topBytes ? Buffer.concat([Buffer.from(`${label}\n`), randomBytes(scenario.topBytes)]) : label);
  }
  const floorBytes = savedAt !== undefined ? project.workspace.floorBytes?.() : undefined;
  const run = await contender.deploy(robots, savedAt);
  const wireBytes = robots.map((robot, i) => bytesToRobot(robot) - wireBefore[i]!);
  await contender.afterRun?.(robots);

  const what = `${scenario.title}, ${CONTENDER_LABELS[contender.key]}, ${round ? `round ${round}` : 'warm-up'}`;
  const id = await imageIdOn(undefined, project.ref);
  if (!id) throw new Error(`${what}: the laptop has no ${project.ref} after the run`);
  env.laptopImages.note(id);
  const content = (await contentOn(undefined, project.ref)) ?? id;
  for (const robot of robots) await assertRobotHolds(robot, project.ref, content);
  if (round > 0) {
    if (scenario.imageChanges && scenario.beforeRun === 'change-top' && content === contentBefore)
      throw new Error(`${what}: the build did not change the image`);
    if (scenario.imageChanges && onRobotsBefore.some((before) => before === content))
      throw new Error(`${what}: a robot already held ${id} before the run`);
    if (!scenario.imageChanges && (content !== contentBefore || onRobotsBefore.some((before) => before !== content)))
      throw new Error(`${what}: expected no change, but the image moved`);
    if (scenario.beforeRun === 'wipe-robots') {
      const layers = await laptopLayers(project.ref);
      // The positive control of the freshness check: after the run the base layer must be there.
      for (const robot of robots)
        if (!(await baseLayerStored(robot, layers)))
          throw new Error(`${what}: ${robot.name}'s layer store lacks the base layer after the deploy`);
    }
    const [least, most] = scenario.wireBounds(contender.key);
    robots.forEach((robot, i) => {
      const sent = wireBytes[i]!;
      if (sent < least || sent > most)
        throw new Error(`${what}: ${megabytes(sent)} went to ${robot.name}, expected between ${megabytes(least)} and ${megabytes(most)}`);
    });
    for (const robot of run.statuses ? robots : []) {
      const status = run.statuses!.get(robot.name);
      if (status !== scenario.ourStatus)
        throw new Error(`${what}: robot-deploy reported ${robot.name} ${status ?? 'missing'}, expected ${scenario.ourStatus}`);
    }
  }
  const sent = robots.map((robot, i) => `${megabytes(wireBytes[i]!)} to ${robot.name}`).join(', ');
  env.log(
    `  ${what.padEnd(60)} ${seconds(run.ms).padStart(9)}   ${sent}${run.peakMiB !== undefined ? `, max RSS ${run.peakMiB} MiB` : ''}`,
  );
  if (scenario.ros && run.pushNotes) env.log(`      ${run.pushNotes}`);
  return { scenario: scenario.key, contender: contender.key, round, wireBytes, run, ...(floorBytes !== undefined ? { floorBytes } : {}) };
}

export async function runScenario(env: RoundsEnv, scenario: Scenario, rounds: number): Promise<Sample[]> {
  const robots = env.project.robots(scenario.robotNames);
  env.log(`\n${scenario.title} (${scenario.robotNames.join(' + ')}): ${scenario.method}`);
  await env.project.workspace.setTop(scenario.initialTop);
  await buildOnLaptop(env.project);
  for (const key of scenario.warmUp) {
    const contender = env.contenders.find((c) => c.key === key)!;
    await runOnce(env, scenario, robots, contender, 0);
  }
  const samples: Sample[] = [];
  // robot-deploy with a forced route takes part only where a scenario asks for it (routes).
  const contenders = env.contenders.filter((c) => (scenario.contenders ? scenario.contenders.includes(c.key) : !(c.key in FORCED_ROUTES)));
  if (scenario.measuredRate) for (const robot of robots) await robot.setRate(scenario.measuredRate);
  try {
    for (let round = 1; round <= Math.min(rounds, scenario.maxRounds ?? rounds); round++) {
      for (const contender of contenders) samples.push(await runOnce(env, scenario, robots, contender, round));
    }
  } finally {
    for (const contender of contenders) await contender.finish?.();
    if (scenario.measuredRate) for (const robot of robots) await robot.setRate(robot.rate ?? LINK_RATE);
  }
  return samples;
}
