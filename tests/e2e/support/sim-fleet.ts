// A simulated fleet for the duration of one test file, torn down after the last test,
// and also when the test process is interrupted (Ctrl-C, or the runner's SIGTERM).
import { after, before } from 'node:test';
import {
  downSimFleet,
  ensureLaptopDocker,
  type SimFleet,
  type SimOptions,
  stopLaptopDockerIfOurs,
  upSimFleet,
} from '../../../scripts/dev/sim/harness.ts';
import { assertSimPrereqs } from './prereqs.ts';

/** Scope for tests: never the defaults, so tests cannot collide with a developer's demo robots. */
export const TEST_SIM_SCOPE = {
  prefix: process.env.RD_TEST_SIM_PREFIX ?? 'rdt',
  subnet: process.env.RD_TEST_SIM_NET ?? '10.78',
  stateDir: process.env.RD_TEST_SIM_DIR ?? '/var/tmp/robot-deploy-sim-test',
} as const;

const UP_TIMEOUT_MS = 180_000;
const DOWN_TIMEOUT_MS = 120_000;

/**
 * Registers before/after hooks (call it inside describe(), or at the top of a test file) and
 * returns a getter for the fleet. The laptop engine is stopped afterwards only if this test
 * process had to start it.
 */
export function useSimFleet(opts: SimOptions = {}): () => SimFleet {
  const scoped: SimOptions = { ...TEST_SIM_SCOPE, ...opts };
  let fleet: SimFleet | undefined;
  let startedLaptop = false;
  let cleaning: Promise<void> | undefined;

  const cleanup = () =>
    (cleaning ??= (async () => {
      await downSimFleet(scoped);
      if (startedLaptop) await stopLaptopDockerIfOurs(scoped.stateDir ?? TEST_SIM_SCOPE.stateDir);
    })());

  const onSignal = (signal: NodeJS.Signals) => {
    // On Ctrl-C the test runner that reads our output dies too: a write to the broken pipe
    // must not kill us before the robots are down.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    void cleanup()
      .catch(() => {})
      .finally(() => process.exit());
  };

  before(
    async () => {
      assertSimPrereqs();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      startedLaptop = (await ensureLaptopDocker(scoped.stateDir ?? TEST_SIM_SCOPE.stateDir)).started;
      fleet = await upSimFleet(scoped);
    },
    { timeout: UP_TIMEOUT_MS },
  );

  after(
    async () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await cleanup();
    },
    { timeout: DOWN_TIMEOUT_MS },
  );

  return () => {
    if (!fleet) throw new Error('the simulated fleet is not up (did the before hook fail?)');
    return fleet;
  };
}
