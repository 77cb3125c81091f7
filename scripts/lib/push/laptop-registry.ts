// The registry robot-deploy keeps in a laptop engine that runs in a VM (see commands/laptop-registry.ts):
// made ready when a push needs it, and used only when the laptop really reaches it on its own 127.0.0.1.
import {
  hasRegistryImage,
  LAPTOP_REGISTRY,
  laptopRegistryState,
  parseLaptopRegistryState,
  runLaptopRegistry,
  startLaptopRegistry,
} from '../commands/laptop-registry.ts';
import { chooseLocalPort } from '../net/local-port.ts';
import { waitForRegistry } from '../net/registry-ready.ts';
import { lastLines, type Runner } from '../runner/runner.ts';

export type LaptopRegistry = { port: number } | { why: string };

const PREFERRED_PORT = 5050;
/** A registry just started needs a moment, and the engine a moment more to forward its port. */
const FRESH_MS = 15_000;
const RUNNING_MS = 3_000;

export async function ensureLaptopRegistry(local: Runner, signal?: AbortSignal): Promise<LaptopRegistry> {
  let readyMs = RUNNING_MS;
  // Two deploys may create it at the same moment: the loser finds the winner's on the next look.
  for (let look = 0; look < 3; look++) {
    const inspected = await local.run(laptopRegistryState(), { signal });
    const state = inspected.code === 0 ? parseLaptopRegistryState(inspected.stdout) : { status: 'absent' };
    if (state.status === 'absent') {
      if ((await local.run(hasRegistryImage(), { signal })).code !== 0)
        return {
          why: 'the engine has no registry:2 image to keep a registry of its own with (`docker pull registry:2` once, while online)',
        };
      const ran = await local.run(runLaptopRegistry(await chooseLocalPort(PREFERRED_PORT)), { signal });
      if (ran.code !== 0 && !/already in use|Conflict/i.test(ran.stderr))
        return { why: `starting ${LAPTOP_REGISTRY} failed: ${lastLines(ran.stderr, 1)}` };
      readyMs = FRESH_MS;
      continue;
    }
    if (state.status !== 'running') {
      const started = await local.run(startLaptopRegistry(), { signal });
      if (started.code !== 0) return { why: `starting ${LAPTOP_REGISTRY} failed: ${lastLines(started.stderr, 1)}` };
      readyMs = FRESH_MS;
      continue;
    }
    if (!state.port)
      return { why: `${LAPTOP_REGISTRY} is published on no 127.0.0.1 port; remove it with \`docker rm -f ${LAPTOP_REGISTRY}\`` };
    try {
      await waitForRegistry(state.port, readyMs, signal);
      return { port: state.port };
    } catch {
      return {
        why: `${LAPTOP_REGISTRY}'s port 127.0.0.1:${state.port} in the engine does not reach this laptop (an engine on another host forwards no ports)`,
      };
    }
  }
  return { why: `${LAPTOP_REGISTRY} could not be started` };
}
