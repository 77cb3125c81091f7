// doctor's view of the push route (push/push-route.ts), read-only: it starts no registry in the engine.
import { hasRegistryImage, LAPTOP_REGISTRY, laptopRegistryState, parseLaptopRegistryState } from '../commands/laptop-registry.ts';
import { probeEngineReach } from '../net/engine-reach.ts';
import type { Runner } from '../runner/runner.ts';
import type { CheckRow } from './table.ts';

export async function pushRouteRow(local: Runner): Promise<CheckRow> {
  const row = (verdict: CheckRow['verdict'], detail: string, fix?: string): CheckRow => ({
    scope: 'laptop',
    check: 'push route',
    verdict,
    detail,
    ...(fix ? { fix } : {}),
  });
  const reach = await probeEngineReach(local);
  if (reach === 'plain-http') return row('ok', "docker push through the tunnel: the engine reaches the laptop's 127.0.0.1 over plain HTTP");
  if (reach === 'https-only')
    return row('ok', "robot-deploy uploads the layers itself: the engine speaks only HTTPS to the laptop's 127.0.0.1 (as Podman does)");
  const inVm = "the engine's 127.0.0.1 is not the laptop's (it runs in a VM, or on another host)";
  const inspected = await local.run(laptopRegistryState());
  const state = inspected.code === 0 ? parseLaptopRegistryState(inspected.stdout) : undefined;
  if (state?.status === 'running' && state.port)
    return row('ok', `staged: ${inVm}; it pushes into ${LAPTOP_REGISTRY} (127.0.0.1:${state.port}), robot-deploy copies on`);
  if (state || (await local.run(hasRegistryImage())).code === 0)
    return row('ok', `staged: ${inVm}; the next deploy starts ${LAPTOP_REGISTRY} in it, pushes there and copies on`);
  return row(
    'warn',
    `upload with docker save: ${inVm}, and it has no registry:2 image for a registry of its own; docker save reads the whole image on every deploy`,
    'docker pull registry:2 once, while online',
  );
}
