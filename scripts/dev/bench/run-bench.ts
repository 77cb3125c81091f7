// The whole benchmark: its own fleet up, the scenarios, the report, and the fleet down again on
// every way out (done, failure, Ctrl-C, SIGTERM).
import { cpus, loadavg } from 'node:os';
import { EXIT } from '../../lib/entry/main.ts';
import { downSimFleet, ensureLaptopDocker, type SimFleet, stopLaptopDockerIfOurs, upSimFleet } from '../sim/harness.ts';
import { runScenario, type Sample } from './alternate-rounds.ts';
import {
  BASE_SIZE_MIB,
  BENCH_ROBOTS,
  BENCH_SCOPE,
  type BenchProject,
  HARNESS_WATCH_WS,
  HARNESS_WS,
  LaptopImages,
  LINK_RATE,
  makeBenchProject,
  ROS_WS,
  WATCH_WS,
} from './bench-project.ts';
import { stopChildren } from './child-processes.ts';
import type { BenchOptions } from './command-line.ts';
import { describeLaptopCli, preferDockerCli } from './laptop-cli.ts';
import { registryFlowBaseline } from './registry-flow-baseline.ts';
import { printReport } from './report.ts';
import { Results } from './results.ts';
import { robotDeployContender, startupMs } from './robot-deploy-contender.ts';
import { saveGzipLoadBaseline } from './save-gzip-load-baseline.ts';
import { FAR_JITTER_MS, FAR_RTT_MS, SCENARIOS } from './scenarios.ts';
import { watchContender } from './watch-contender.ts';

type Log = (line: string) => void;

class BenchTeardown {
  fleetStarting?: Promise<unknown>;
  startedLaptop = false;
  readonly laptopImages = new LaptopImages();
  private running?: Promise<void>;

  /** Idempotent: the signal handler and the normal way out may both ask for it. */
  run(log: Log): Promise<void> {
    this.running ??= (async () => {
      await stopChildren();
      await this.fleetStarting?.catch(() => undefined);
      const problems: string[] = [];
      await this.laptopImages.remove().catch((error: Error) => problems.push(error.message));
      await downSimFleet(BENCH_SCOPE).catch((error: Error) => problems.push(error.message));
      if (this.startedLaptop) await stopLaptopDockerIfOurs(BENCH_SCOPE.stateDir).catch((error: Error) => problems.push(error.message));
      log(problems.length ? `teardown problems:\n${problems.join('\n')}` : `simulated robots (${BENCH_SCOPE.prefix}) torn down`);
    })();
    return this.running;
  }
}

// Not runMain's guard: its Teardown gives each step 5 s and then exits, while stopping the children (10 s grace)
// and taking the simulated fleet and the laptop dockerd down take longer; exiting early would leave them running.
function onSignals(teardown: BenchTeardown, log: Log): () => boolean {
  let stopping = false;
  const stop = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal === 'SIGINT' ? 'Interrupted (Ctrl-C)' : 'Terminated'}: stopping the runs and tearing the simulated robots down…`);
    void teardown.run(log).finally(() => process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return () => stopping;
}

/** Resolves with the exit code; never resolves once a signal has taken over the exit. */
export async function runBench(options: BenchOptions, log: Log): Promise<number> {
  const teardown = new BenchTeardown();
  const stopping = onSignals(teardown, log);
  let code = 0;
  try {
    log(
      `robot-deploy benchmark: ${options.rounds} measured runs per tool and scenario, alternating; links ${LINK_RATE}, base layer ${BASE_SIZE_MIB} MiB incompressible`,
    );
    log(
      `host: ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)} at start, node ${process.version}; robot-deploy runs as \`${options.launcher} scripts/deploy.ts … --timings\``,
    );
    teardown.startedLaptop = (await ensureLaptopDocker(BENCH_SCOPE.stateDir)).started;
    log(
      `starting simulated robots ${BENCH_ROBOTS.join(', ')} (prefix ${BENCH_SCOPE.prefix}, ${BENCH_SCOPE.subnet}.0.0/16, ${BENCH_SCOPE.stateDir})…`,
    );
    const starting = upSimFleet({
      ...BENCH_SCOPE,
      names: [...BENCH_ROBOTS],
      rate: LINK_RATE,
      links: { far: { rttMs: FAR_RTT_MS, jitterMs: FAR_JITTER_MS } },
      laptopEngine: options.laptopEngine,
    });
    teardown.fleetStarting = starting;
    const fleet: SimFleet = await starting;
    // Every tool, and the bench's own checks, use the fleet's laptop engine from here on.
    Object.assign(process.env, fleet.laptopEnv);
    if (options.dockerCli) preferDockerCli(options.dockerCli, BENCH_SCOPE.stateDir);
    const cli = await describeLaptopCli();
    log(
      `laptop engine ${options.laptopEngine}, docker CLI ${cli.path} ${cli.version}: ${cli.buildkit ? 'BuildKit for every tool (robot-deploy picks it itself; the baselines build with DOCKER_BUILDKIT=1)' : 'no BuildKit: every tool builds with the legacy builder'}`,
    );
    const project = await makeBenchProject(fleet);
    let rosProject: BenchProject | undefined;
    const startup = { node: [] as number[], npx: [] as number[] };
    for (let i = 0; i < options.rounds; i++) {
      startup.node.push(await startupMs('node --import tsx'));
      startup.npx.push(await startupMs('npx tsx'));
    }
    const samples: Sample[] = [];
    for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.key))) {
      if (scenario.ros) rosProject ??= await makeBenchProject(fleet, ROS_WS);
      const harnessProject = scenario.harness ? await makeBenchProject(fleet, HARNESS_WS) : undefined;
      const own = scenario.ros && rosProject ? rosProject : (harnessProject ?? project);
      const contenders = [
        robotDeployContender(own, options.launcher),
        registryFlowBaseline(own),
        saveGzipLoadBaseline(own),
        robotDeployContender(own, options.launcher, 'robot-deploy-staged'),
        robotDeployContender(own, options.launcher, 'robot-deploy-upload'),
      ];
      if (scenario.key === 'watch') contenders.push(watchContender(await makeBenchProject(fleet, WATCH_WS), options.launcher));
      if (scenario.harness) contenders.push(watchContender(await makeBenchProject(fleet, HARNESS_WATCH_WS), options.launcher));
      samples.push(
        ...(await runScenario({ project: own, contenders, laptopImages: teardown.laptopImages, log }, scenario, options.rounds)),
      );
    }
    log(
      `\nload average ${loadavg()[0]!.toFixed(2)} at the end (other work on this machine adds noise; medians of alternating runs share it)`,
    );
    printReport(new Results(samples, startup, options.launcher === 'npx tsx'), log);
  } catch (error) {
    if (!stopping()) log(`\nbenchmark failed: ${(error as Error).message}`);
    code = 1;
  }
  if (stopping()) return new Promise<number>(() => undefined);
  await teardown.run(log);
  return code;
}
