// Argv builders for the registry robot-deploy keeps in a laptop engine that runs in a VM: the engine's
// daemon pushes to it on the VM's own 127.0.0.1 (plain HTTP, loopback), and the engine forwards the
// published port to the laptop's 127.0.0.1, from where robot-deploy copies what a robot lacks.
import { REGISTRY_IMAGE } from './robot-registry.ts';

export const LAPTOP_REGISTRY = 'robot-deploy-laptop-registry';

/** "running 127.0.0.1:5050" (state, then the published address of 5000/tcp), or a failure when absent. */
export const laptopRegistryState = (): string[] => [
  'docker',
  'container',
  'inspect',
  '--format',
  '{{.State.Status}}{{range (index .NetworkSettings.Ports "5000/tcp")}} {{.HostIp}}:{{.HostPort}}{{end}}',
  LAPTOP_REGISTRY,
];

export const hasRegistryImage = (): string[] => ['docker', 'image', 'inspect', '--format', '{{.Id}}', REGISTRY_IMAGE];

/** Kept running like the robot's registry: its blobs make the next push send only what changed. */
export const runLaptopRegistry = (port: number): string[] => [
  'docker',
  'run',
  '-d',
  '--name',
  LAPTOP_REGISTRY,
  '--restart',
  'unless-stopped',
  '-p',
  `127.0.0.1:${port}:5000`,
  '-v',
  `${LAPTOP_REGISTRY}:/var/lib/registry`,
  '-e',
  'REGISTRY_STORAGE_DELETE_ENABLED=true',
  REGISTRY_IMAGE,
];

export const startLaptopRegistry = (): string[] => ['docker', 'container', 'start', LAPTOP_REGISTRY];

export const removeLaptopRegistry = (): string[] => ['docker', 'container', 'rm', '-f', LAPTOP_REGISTRY];

export const removeLaptopRegistryVolume = (): string[] => ['docker', 'volume', 'rm', LAPTOP_REGISTRY];

export function parseLaptopRegistryState(stdout: string): { status: string; port?: number } {
  const [status, ...binds] = stdout.trim().split(/\s+/).filter(Boolean);
  const loopback = binds.find((bind) => bind.startsWith('127.0.0.1:'));
  return { status: status ?? 'absent', ...(loopback ? { port: Number(loopback.slice('127.0.0.1:'.length)) } : {}) };
}
