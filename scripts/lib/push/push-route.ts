// How layers reach the robot's registry from this laptop, decided by what the engine does, not its name:
// - docker push through the tunnel, where the engine's daemon reaches the laptop's 127.0.0.1 over plain
//   HTTP (a native Linux engine, OrbStack);
// - staged: where it runs in a VM (Docker Desktop, colima, Rancher Desktop), docker push into a registry
//   kept in that engine on the VM's own 127.0.0.1, which the engine forwards to the laptop's; robot-deploy
//   copies from there what the robot lacks (push/copy-image.ts);
// - upload: anywhere else (no registry:2 in the engine, an engine on another host, Podman's HTTPS-only
//   push), robot-deploy reads the layers with docker save and uploads them itself (push/ship-image.ts).
import { type EngineReach, probeEngineReach } from '../net/engine-reach.ts';
import type { Runner } from '../runner/runner.ts';
import { ensureLaptopRegistry } from './laptop-registry.ts';

export interface PushRoute {
  kind: 'docker push' | 'staged' | 'upload';
  why: string;
  /** Where a docker-container buildx builder, which pushes from its own container, reaches the tunnel. */
  registryHost: '127.0.0.1' | 'host.docker.internal';
  /** staged: the engine's registry, on the laptop's (and the engine's) 127.0.0.1. */
  stagingPort?: number;
}

const KINDS = ['docker push', 'staged', 'upload'] as const;

/** RD_PUSH_ROUTE (docker-push, staged or upload) overrides the engine's answer: for benchmarks, and as a way out of a wrong guess. */
export async function choosePushRoute(local: Runner, signal?: AbortSignal, forced = process.env.RD_PUSH_ROUTE): Promise<PushRoute> {
  const kind = forced ? KINDS.find((name) => name === forced || name.replace(' ', '-') === forced) : undefined;
  if (forced && !kind) throw new Error(`RD_PUSH_ROUTE=${forced}: use docker-push, staged or upload`);
  const reach = await probeEngineReach(local, signal);
  const registryHost = reach === 'elsewhere' ? 'host.docker.internal' : '127.0.0.1';
  if (kind === 'docker push' || kind === 'upload') return { kind, why: `RD_PUSH_ROUTE=${forced}`, registryHost };
  if (!kind && reach !== 'elsewhere') return { ...routeFor(reach), registryHost };
  const staging = await ensureLaptopRegistry(local, signal);
  if ('port' in staging)
    return {
      kind: 'staged',
      why: kind
        ? `RD_PUSH_ROUTE=${forced}`
        : `${ELSEWHERE}; it pushes into a registry of its own, from where robot-deploy copies what the robot lacks`,
      registryHost,
      stagingPort: staging.port,
    };
  return {
    kind: 'upload',
    why: `${ELSEWHERE}, and ${staging.why}: robot-deploy uploads the layers itself, read with docker save`,
    registryHost,
  };
}

const ELSEWHERE =
  "the engine runs elsewhere (in a VM, as Docker Desktop, colima and Rancher Desktop run it, or on another host): its 127.0.0.1 is not the laptop's";

function routeFor(reach: Exclude<EngineReach, 'elsewhere'>): Omit<PushRoute, 'registryHost'> {
  return reach === 'plain-http'
    ? { kind: 'docker push', why: "the engine reaches the laptop's 127.0.0.1 over plain HTTP" }
    : {
        kind: 'upload',
        why: "the engine reaches the laptop's 127.0.0.1 but speaks only HTTPS to it (Podman does), so robot-deploy uploads the layers itself",
      };
}

/** A dry run asks the engine nothing: it shows the docker push the native engines take. */
export const DRY_RUN_ROUTE: PushRoute = { kind: 'docker push', why: 'a dry run asks the engine nothing', registryHost: '127.0.0.1' };
