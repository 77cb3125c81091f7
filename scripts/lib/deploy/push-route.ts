// How layers reach the robot's registry from this laptop: `docker push` through the tunnel where the
// engine's daemon reaches the laptop's 127.0.0.1 over plain HTTP (a native Linux engine, OrbStack),
// else robot-deploy's own upload (see upload/ship-image.ts). Decided by what the engine does, not its name.
import type { EngineReach } from '../net/engine-reach.ts';

export interface PushRoute {
  kind: 'docker push' | 'upload';
  why: string;
  /** Where a docker-container buildx builder, which pushes from its own container, reaches the tunnel. */
  registryHost: '127.0.0.1' | 'host.docker.internal';
}

const FORCED = ['docker push', 'upload'] as const;

/** `RD_PUSH_ROUTE=upload` (or `docker push`) overrides the probe: for benchmarks, and as a way out of a wrong guess. */
export function pushRouteFor(reach: EngineReach, forced = process.env.RD_PUSH_ROUTE): PushRoute {
  const registryHost = reach === 'elsewhere' ? 'host.docker.internal' : '127.0.0.1';
  if (forced) {
    const kind = FORCED.find((name) => name.replace(' ', '-') === forced || name === forced);
    if (!kind) throw new Error(`RD_PUSH_ROUTE=${forced}: use docker-push or upload`);
    return { kind, why: `RD_PUSH_ROUTE=${forced}`, registryHost };
  }
  if (reach === 'plain-http')
    return { kind: 'docker push', why: "the engine reaches the laptop's 127.0.0.1 over plain HTTP", registryHost };
  if (reach === 'https-only')
    return {
      kind: 'upload',
      why: "the engine reaches the laptop's 127.0.0.1 but speaks only HTTPS to it (Podman does), so robot-deploy uploads the layers itself",
      registryHost,
    };
  return {
    kind: 'upload',
    why: "the engine runs elsewhere (in a VM, as Docker Desktop, colima and Rancher Desktop run it, or on another host): its 127.0.0.1 is not the laptop's, so robot-deploy uploads the layers itself",
    registryHost,
  };
}

/** A dry run asks the engine nothing: it shows the docker push the native engines take. */
export const DRY_RUN_ROUTE: PushRoute = { kind: 'docker push', why: 'a dry run asks the engine nothing', registryHost: '127.0.0.1' };
