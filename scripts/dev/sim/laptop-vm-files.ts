// Where a VM-like laptop engine keeps its files, what its daemon and CLI are given, and the userland-proxy
// script that exposes its published ports on the host. Everything here lives under one directory that
// the fleet's teardown deletes.
import { join } from 'node:path';
import { cliPluginsDir } from './engine-flavours.ts';
import { VM_PROFILES, type VmLaptopKind, vmCliDir } from './laptop-engines.ts';
import { vmLaptopLayout } from './names.ts';
import { type FleetScope, stateFiles } from './state.ts';

export function vmLaptopFiles(scope: FleetScope) {
  const layout = vmLaptopLayout(scope.prefix, scope.subnet);
  const dir = join(scope.stateDir, layout.id);
  const logs = stateFiles(scope.stateDir).logs;
  return {
    layout,
    dir,
    data: join(dir, 'data'),
    exec: join(dir, 'exec'),
    containerdRun: join(dir, 'run-containerd'),
    sock: join(dir, 'docker.sock'),
    pid: join(dir, 'docker.pid'),
    daemonJson: join(dir, 'daemon.json'),
    config: join(dir, 'docker-config'),
    osRelease: join(dir, 'os-release'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    exposePort: join(dir, 'expose-port'),
    spool: join(dir, 'spool'),
    guestSock: join(dir, 'guest.sock'),
    guestPid: join(dir, 'guest-agent.pid'),
    hostPid: join(dir, 'host-agent.pid'),
    log: join(logs, `${layout.id}.dockerd.log`),
    agentLog: join(logs, `${layout.id}.agents.log`),
  };
}

export type VmLaptopFiles = ReturnType<typeof vmLaptopFiles>;

/** What a command needs in its environment to use the VM laptop: its socket, CLI and (Desktop) plugins. */
export function vmLaptopEnv(scope: FleetScope, kind: VmLaptopKind): NodeJS.ProcessEnv {
  const files = vmLaptopFiles(scope);
  return {
    DOCKER_HOST: `unix://${files.sock}`,
    DOCKER_CONFIG: files.config,
    PATH: `${vmCliDir(kind)}:${process.env.PATH ?? ''}`,
  };
}

/** The Desktop CLI's plugins (buildx: its default builder is the docker driver); colima's CLI has none. */
export const vmCliPlugins = (kind: VmLaptopKind): string | undefined => (kind === 'desktop' ? cliPluginsDir('docker26') : undefined);

/**
 * daemon.json: insecure-registries and everything else at the daemon's defaults (as Desktop's default
 * settings leave them), the image store of the product it stands in for, and published ports exposed on
 * the host through EXPOSE_PORT.
 */
export function vmDaemonConfig(kind: VmLaptopKind, files: VmLaptopFiles): Record<string, unknown> {
  return {
    ...(VM_PROFILES[kind].containerdStore ? { features: { 'containerd-snapshotter': true } } : {}),
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
    // Absolute, so a container orphaned by a killed daemon is still found by the teardown (cgroups.ts).
    'cgroup-parent': `/${files.layout.id}`,
    'userland-proxy-path': files.exposePort,
  };
}

export function vmHostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`;
}

/**
 * dockerd runs this as its userland proxy for each published port (-proto tcp -host-ip IP -host-port P
 * -container-ip … -container-port …, readiness on fd 3): it asks the host agent to listen on the host's
 * 127.0.0.1:P, then becomes docker's own docker-proxy (same pid, which the host agent watches). With a
 * file `expose-sync` beside it, it waits for the answer and fails the start on an error, as Desktop does.
 */
export const EXPOSE_PORT = `#!/bin/sh
here=$(dirname "$0")
spool="$here/spool"
proto='' host_ip='' host_port='' prev=''
for arg in "$@"; do
  case "$prev" in -proto) proto=$arg ;; -host-ip) host_ip=$arg ;; -host-port) host_port=$arg ;; esac
  prev=$arg
done
if [ "$proto" = tcp ]; then
  printf '%s %s\\n' "$host_ip" "$host_port" >"$spool/$$.tmp" && mv "$spool/$$.tmp" "$spool/$$.req"
  if [ -e "$here/expose-sync" ]; then
    tries=0
    while [ ! -e "$spool/$$.ans" ]; do
      tries=$((tries + 1))
      if [ "$tries" -gt 1000 ]; then printf '1\\nthe laptop VM host agent did not answer' >&3; exit 1; fi
      sleep 0.01
    done
    answer=$(cat "$spool/$$.ans")
    rm -f "$spool/$$.ans"
    if [ "$answer" != ok ]; then printf '1\\n%s' "$answer" >&3; exit 1; fi
  fi
fi
exec docker-proxy "$@"
`;
