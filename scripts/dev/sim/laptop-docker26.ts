// A second "laptop" engine for the docker26 flavour: Debian 13's dockerd with the containerd image
// store and buildx, on this host's network (so the tunnel on 127.0.0.1 is its localhost), beside the
// host's Docker with its own socket, data, bridge and DOCKER_CONFIG.
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPluginsDir, engineFeatures, enginePath } from './engine-flavours.ts';
import { run, toolEnv } from './exec.ts';
import { isOurProcess, readPidFile, spawnDetached, terminate } from './processes.ts';
import { waitForDockerd } from './robot-dockerd.ts';
import { ensureDir, type FleetScope, stateFiles } from './state.ts';

export function laptop26Files(scope: FleetScope) {
  const dir = join(scope.stateDir, `${scope.prefix}-laptop26`);
  return {
    dir,
    data: join(dir, 'data'),
    exec: join(dir, 'exec'),
    containerdRun: join(dir, 'run-containerd'),
    sock: join(dir, 'docker.sock'),
    pid: join(dir, 'docker.pid'),
    daemonJson: join(dir, 'daemon.json'),
    config: join(dir, 'docker-config'),
    log: join(stateFiles(scope.stateDir).logs, `${scope.prefix}-laptop26.dockerd.log`),
    bridge: `${scope.prefix}lap26`,
  };
}

/** What a command needs in its environment to use the docker26 laptop: its socket, CLI and plugins. */
export function laptop26Env(scope: FleetScope): NodeJS.ProcessEnv {
  const files = laptop26Files(scope);
  return {
    DOCKER_HOST: `unix://${files.sock}`,
    DOCKER_CONFIG: files.config,
    PATH: `${enginePath('docker26')}:${process.env.PATH ?? ''}`,
  };
}

// Hides a system containerd (see robot-dockerd.ts) so this dockerd starts its own.
const WRAPPER = 'if [ -d /run/containerd ]; then mount --bind "$1" /run/containerd || exit 1; fi; shift; exec dockerd "$@"';

export async function startLaptopDocker26(scope: FleetScope): Promise<void> {
  const files = laptop26Files(scope);
  for (const dir of [files.dir, files.data, files.exec, files.containerdRun, files.config]) ensureDir(dir);
  const plugins = join(files.config, 'cli-plugins');
  if (!existsSync(plugins)) symlinkSync(cliPluginsDir('docker26')!, plugins);
  writeFileSync(files.daemonJson, `${JSON.stringify({ ...engineFeatures('docker26'), 'exec-opts': ['native.cgroupdriver=cgroupfs'] })}\n`);
  // Its own bridge, addressed past the last robot link, without NAT: builds and containers stay offline.
  await run('ip', ['link', 'add', files.bridge, 'type', 'bridge'], { allowFail: true });
  await run('ip', ['addr', 'replace', `${scope.subnet}.255.1/24`, 'dev', files.bridge]);
  await run('ip', ['link', 'set', files.bridge, 'up']);
  const args = [
    '--data-root',
    files.data,
    '--exec-root',
    files.exec,
    '-H',
    `unix://${files.sock}`,
    '--pidfile',
    files.pid,
    '--config-file',
    files.daemonJson,
    '--bridge',
    files.bridge,
    '--iptables=false',
    '--ip-masq=false',
  ];
  const daemon = spawnDetached(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', WRAPPER, 'sim-laptop26-dockerd', files.containerdRun, ...args],
    files.log,
    toolEnv({ PATH: enginePath('docker26') }),
  );
  await waitForDockerd(daemon, files.sock, 'the docker26 laptop dockerd', files.log);
}

export async function stopLaptopDocker26(scope: FleetScope): Promise<void> {
  const files = laptop26Files(scope);
  const pid = readPidFile(files.pid);
  if (pid !== undefined && isOurProcess(pid, files.pid)) await terminate([pid], 40_000);
  await run('ip', ['link', 'del', files.bridge], { allowFail: true });
}
