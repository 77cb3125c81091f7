// What a deploy may leave on the laptop besides its own process: containers and push tags in the engine,
// programs still talking to the engine, and ports the laptop VM's forwarder holds on the host.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** A tag naming a registry on a loopback or the VM's host alias: the kind a push makes for itself. */
const PUSH_TAG = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|host\.docker\.internal)(:\d+)?\//;

export interface EngineState {
  containers: string[];
  pushTags: string[];
}

/** The registry a deploy keeps in a VM engine on purpose (the staged push route), like the robot's. */
export const KEPT_CONTAINER = 'robot-deploy-laptop-registry';

export function engineState(env: NodeJS.ProcessEnv): EngineState {
  const docker = (args: string[]) =>
    execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')
      .filter(Boolean);
  return {
    containers: docker(['container', 'ls', '--all', '--format', '{{.Names}}'])
      .filter((name) => name !== KEPT_CONTAINER)
      .sort(),
    pushTags: docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).filter((tag) => PUSH_TAG.test(tag)),
  };
}

/** Command lines of live processes whose environment points DOCKER_HOST at `dockerHost`, except `except`. */
export function processesUsingEngine(dockerHost: string, except: number[] = []): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || except.includes(pid)) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!environ.includes(`DOCKER_HOST=${dockerHost}`)) continue;
      found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`);
    } catch {
      // exited meanwhile, or a kernel thread
    }
  }
  return found;
}

/** TCP ports `pid` listens on, on the host's network. */
export function listeningPortsOf(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  return execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(/:(\d+)$/.exec(line.trim().split(/\s+/)[3] ?? '')?.[1]))
    .filter((port) => Number.isInteger(port))
    .sort((a, b) => a - b);
}

/** FINGERPRINT_FORMAT (or any format) of an image in the engine `env` points at; undefined when absent. */
export function inspectImage(env: NodeJS.ProcessEnv, image: string, format: string): string | undefined {
  try {
    return execFileSync('docker', ['image', 'inspect', '--format', format, image], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}
